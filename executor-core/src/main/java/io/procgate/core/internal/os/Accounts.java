package io.procgate.core.internal.os;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import io.procgate.core.Account;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads accounts through glibc's {@code getpwnam_r} and {@code getgrouplist}, so every source
 * {@code nsswitch.conf} names (files, LDAP, ...) is honoured, as {@code login} would.
 */
public final class Accounts {
  // struct passwd on LP64: name, passwd, uid, gid, gecos, dir, shell.
  private static final int PASSWD_SIZE = 48;
  private static final int PW_NAME = 0;
  private static final int PW_UID = 16;
  private static final int PW_GID = 20;
  private static final int PW_DIR = 32;
  private static final int PW_SHELL = 40;

  private Accounts() {}

  public static Optional<Account> byName(String name) {
    if (name.isEmpty() || name.indexOf('\0') >= 0) {
      return Optional.empty();
    }
    return lookup((passwd, buf, result) -> LibC.getpwnam_r(name, passwd, buf, buf.size(), result));
  }

  public static Optional<Account> byUid(int uid) {
    return lookup((passwd, buf, result) -> LibC.getpwuid_r(uid, passwd, buf, buf.size(), result));
  }

  /** The id of group {@code name}, through every source {@code nsswitch.conf} names. */
  public static Optional<Integer> groupByName(String name) {
    if (name.isEmpty() || name.indexOf('\0') >= 0) {
      return Optional.empty();
    }
    return group((group, buf, result) -> LibC.getgrnam_r(name, group, buf, buf.size(), result));
  }

  /** Whether any source {@code nsswitch.conf} names has a group with id {@code gid}. */
  public static boolean groupExists(int gid) {
    return group((group, buf, result) -> LibC.getgrgid_r(gid, group, buf, buf.size(), result))
        .isPresent();
  }

  private static Optional<Integer> group(Call call) {
    for (int size = 4096; size <= 1 << 22; size *= 4) {
      // struct group on LP64: name, passwd, gid, members.
      try (Memory group = new Memory(32);
          Memory buf = new Memory(size);
          Memory result = new Memory(Native.POINTER_SIZE)) {
        result.setPointer(0, null);
        int error = call.invoke(group, buf, result);
        if (error == Errno.ERANGE) {
          continue;
        }
        if (error != 0) {
          throw new OsException("getgr*_r", error);
        }
        return result.getPointer(0) == null ? Optional.empty() : Optional.of(group.getInt(16));
      }
    }
    throw new OsException("getgr*_r", Errno.ERANGE);
  }

  private interface Call {
    int invoke(Memory struct, Memory buf, Memory result);
  }

  private static Optional<Account> lookup(Call call) {
    for (int size = 4096; size <= 1 << 20; size *= 4) {
      Memory passwd = new Memory(PASSWD_SIZE);
      Memory buf = new Memory(size);
      Memory result = new Memory(Native.POINTER_SIZE);
      result.setPointer(0, null);
      int error = call.invoke(passwd, buf, result);
      if (error == Errno.ERANGE) {
        continue;
      }
      if (error != 0) {
        throw new OsException("getpw*_r", error);
      }
      if (result.getPointer(0) == null) {
        return Optional.empty();
      }
      String name = string(passwd, PW_NAME);
      int uid = passwd.getInt(PW_UID);
      int gid = passwd.getInt(PW_GID);
      return Optional.of(
          new Account(
              name,
              uid,
              gid,
              groupsOf(name, gid),
              string(passwd, PW_DIR),
              string(passwd, PW_SHELL)));
    }
    throw new OsException("getpw*_r", Errno.ERANGE);
  }

  private static String string(Pointer struct, int offset) {
    Pointer p = struct.getPointer(offset);
    return p == null ? "" : p.getString(0);
  }

  /**
   * The groups {@code user} belongs to when {@code gid} is its primary group, {@code gid} included.
   */
  public static List<Integer> groupsOf(String user, int gid) {
    // On failure getgrouplist stores the count it needs in count[0].
    int[] count = {32};
    while (true) {
      int[] groups = new int[count[0]];
      if (LibC.getgrouplist(user, gid, groups, count) >= 0) {
        List<Integer> list = new ArrayList<>(count[0]);
        for (int i = 0; i < count[0]; i++) {
          list.add(groups[i]);
        }
        return list;
      }
    }
  }
}
