package io.procgate.core.internal.launch;

import io.procgate.core.Account;
import io.procgate.core.ProcessException;
import io.procgate.core.ProcessException.Kind;
import io.procgate.core.internal.os.Accounts;
import io.procgate.core.internal.os.ProcessControl;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Decides which account a child runs as, and whether getting there needs a user switch the server
 * is allowed to make.
 */
final class UserResolver {
  private final Account server;
  private final Account defaultUser;

  /**
   * @throws IllegalStateException when the configured default user does not exist or the server may
   *     not switch to it
   */
  UserResolver(Optional<String> defaultUserSpec) {
    this(currentAccount(), defaultUserSpec);
  }

  UserResolver(Account server, Optional<String> defaultUserSpec) {
    this.server = server;
    try {
      this.defaultUser = defaultUserSpec.map(this::parse).orElse(server);
      requireAllowed(defaultUser);
    } catch (ProcessException e) {
      throw new IllegalStateException("default user: " + e.getMessage(), e);
    }
  }

  private static Account currentAccount() {
    int uid = ProcessControl.uid();
    int gid = ProcessControl.gid();
    return Accounts.byUid(uid)
        .orElseGet(
            () -> new Account(Integer.toString(uid), uid, gid, List.of(gid), "/", "/bin/sh"));
  }

  Account server() {
    return server;
  }

  Account defaultUser() {
    return defaultUser;
  }

  /** The account a request runs as; {@code owners} when it names none. */
  Account resolve(Optional<String> asUser, boolean asRoot, Account owners) {
    if (asRoot && asUser.isPresent()) {
      throw new ProcessException(
          Kind.CONFLICTING_USER_OPTIONS, "as_user and as_root cannot be used together");
    }
    Account target;
    if (asRoot) {
      target =
          Accounts.byUid(0)
              .orElseThrow(() -> new ProcessException(Kind.UNKNOWN_USER, "no root account"));
    } else if (asUser.isPresent()) {
      target = parse(asUser.get());
    } else {
      return owners;
    }
    requireAllowed(target);
    return target;
  }

  /** Whether running as {@code target} means switching from the server's identity. */
  boolean needsSwitch(Account target) {
    return target.uid() != server.uid()
        || target.gid() != server.gid()
        || !Set.copyOf(target.groups()).equals(Set.copyOf(server.groups()));
  }

  private void requireAllowed(Account target) {
    boolean sameIdentity = target.uid() == server.uid() && target.gid() == server.gid();
    if (server.uid() != 0 && !sameIdentity) {
      throw new ProcessException(
          Kind.PRIVILEGE_REQUIRED,
          "running as "
              + describe(target)
              + " needs the server to run as root; it runs as "
              + describe(server));
    }
  }

  /** Accepts {@code name}, {@code uid} and {@code uid:gid}. */
  private Account parse(String spec) {
    if (spec.isEmpty()) {
      throw new ProcessException(Kind.UNKNOWN_USER, "as_user is empty");
    }
    int colon = spec.indexOf(':');
    if (colon >= 0) {
      long uid = parseId(spec.substring(0, colon), spec);
      long gid = parseId(spec.substring(colon + 1), spec);
      Account account = byUid(uid, spec);
      return new Account(
          account.name(),
          account.uid(),
          (int) gid,
          Accounts.groupsOf(account.name(), (int) gid),
          account.home(),
          account.shell());
    }
    Optional<Account> byName = Accounts.byName(spec);
    if (byName.isPresent()) {
      return byName.get();
    }
    if (spec.chars().allMatch(Character::isDigit)) {
      return byUid(parseId(spec, spec), spec);
    }
    throw new ProcessException(Kind.UNKNOWN_USER, "no such user: " + quoted(spec));
  }

  private static Account byUid(long uid, String spec) {
    return Accounts.byUid((int) uid)
        .orElseThrow(
            () ->
                new ProcessException(
                    Kind.UNKNOWN_USER,
                    "no account has uid " + uid + " (as_user " + quoted(spec) + ")"));
  }

  private static long parseId(String digits, String spec) {
    if (digits.isEmpty() || digits.length() > 10 || !digits.chars().allMatch(Character::isDigit)) {
      throw new ProcessException(
          Kind.UNKNOWN_USER, "as_user must be a name, a uid or uid:gid, got " + quoted(spec));
    }
    long id = Long.parseLong(digits);
    if (id > 0xFFFF_FFFEL) {
      throw new ProcessException(Kind.UNKNOWN_USER, "id out of range in as_user " + quoted(spec));
    }
    return id;
  }

  private static String describe(Account account) {
    return account.name() + " (uid " + account.uid() + ", gid " + account.gid() + ")";
  }

  private static String quoted(String spec) {
    String shown = spec.replace("\0", "\\0");
    return "'" + (shown.length() > 64 ? shown.substring(0, 64) + "..." : shown) + "'";
  }
}
