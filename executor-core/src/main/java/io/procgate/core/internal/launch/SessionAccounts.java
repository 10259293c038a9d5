package io.procgate.core.internal.launch;

import io.procgate.core.Account;
import io.procgate.core.ProcessException;
import io.procgate.core.ProcessException.Kind;
import io.procgate.core.Signal;
import io.procgate.core.UidRange;
import io.procgate.core.internal.os.Accounts;
import io.procgate.core.internal.os.HostClaims;
import io.procgate.core.internal.os.ProcessControl;
import io.procgate.core.internal.os.ProcessTree;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Accounts of their own for owners such as sessions, one uid from a range each, as systemd's
 * DynamicUser gives them to services: no entry in the user database, the uid its only group too.
 *
 * <p>A uid is taken only while no account or group of the system has it, no process runs with it,
 * and no other server of the host has claimed it. Uids are handed out in turn through the whole
 * range, so that one given back meets its next owner as late as possible: what a session leaves
 * outside its directory, such as a file in a shared {@code /tmp}, is its uid's. Thread-safe.
 */
public final class SessionAccounts implements AutoCloseable {
  // Processes forking while they are killed can outrun one sweep, rarely several.
  private static final int SWEEPS = 20;
  private static final long SWEEP_PAUSE_MILLIS = 10;

  private final UidRange range;
  private final HostClaims claims;
  private int next;

  /**
   * @throws IOException when the host-wide claims cannot be kept, in {@code claims}
   */
  public SessionAccounts(UidRange range, Path claims) throws IOException {
    this.range = range;
    this.claims = new HostClaims(claims);
    this.next = range.first();
  }

  public UidRange range() {
    return range;
  }

  /**
   * A new account whose home is {@code home}.
   *
   * @throws ProcessException when every uid of the range is taken
   */
  public Account take(Path home) {
    Set<Integer> running = new HashSet<>();
    ProcessTree.uidsByProcess().values().forEach(running::addAll);
    synchronized (this) {
      for (int tried = 0; tried < range.size(); tried++) {
        int uid = next;
        next = uid == range.last() ? range.first() : uid + 1;
        if (!running.contains(uid)
            && Accounts.byUid(uid).isEmpty()
            && !Accounts.groupExists(uid)
            && claims.claim(uid, home.toString())) {
          return new Account("procgate-" + uid, uid, uid, List.of(uid), home.toString(), "/bin/sh");
        }
      }
    }
    throw new ProcessException(
        Kind.RESOURCE_EXHAUSTED,
        "every uid of " + range + " is in use; give sessions a larger range");
  }

  /**
   * Kills whatever still runs with the account's uid, then makes the uid free again. A uid whose
   * processes outlast every sweep stays taken.
   *
   * @return whether the uid is free again
   */
  public boolean giveBack(Account account) {
    int uid = account.uid();
    for (int sweep = 0; sweep < SWEEPS; sweep++) {
      Collection<Integer> left = processesOf(uid);
      if (left.isEmpty()) {
        claims.release(uid);
        return true;
      }
      left.forEach(pid -> ProcessControl.signal(pid, Signal.KILL.number()));
      try {
        Thread.sleep(SWEEP_PAUSE_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return false;
  }

  /** Gives back every uid's claim, as the server ends. */
  @Override
  public void close() {
    claims.close();
  }

  private static Collection<Integer> processesOf(int uid) {
    Set<Integer> pids = new HashSet<>();
    for (Map.Entry<Integer, Set<Integer>> process : ProcessTree.uidsByProcess().entrySet()) {
      if (process.getValue().contains(uid)) {
        pids.add(process.getKey());
      }
    }
    return pids;
  }
}
