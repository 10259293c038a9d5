package io.procgate.core.internal.os;

import com.sun.jna.Memory;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import io.procgate.core.Account;
import java.util.List;

/**
 * The calling thread's file system identity: the user and groups the kernel checks file access
 * against. Linux keeps them per thread, so one thread can act with another account's rights while
 * the rest of the JVM keeps its own. The raw system calls are used on purpose: glibc's {@code
 * setgroups} changes every thread of the process.
 *
 * <p>Changing the file system user away from 0 also drops, for that thread, the capabilities that
 * would override file permissions ({@code CAP_DAC_OVERRIDE}, {@code CAP_CHOWN}, {@code CAP_FOWNER}
 * and the like); changing it back restores them.
 */
public final class FsCredentials {
  private static final boolean ARM = Platform.isARM();
  private static final long SYS_SETGROUPS = ARM ? 159 : 116;
  private static final long SYS_SETFSUID = ARM ? 151 : 122;
  private static final long SYS_SETFSGID = ARM ? 152 : 123;

  private FsCredentials() {}

  /** Takes on {@code account}'s uid, gid and groups for file access, on this thread only. */
  public static void become(Account account) {
    setGroups(account.groups());
    LibC.syscall(SYS_SETFSGID, account.gid(), 0);
    LibC.syscall(SYS_SETFSUID, account.uid(), 0);
    if (currentFsUid() != account.uid()) {
      throw new IllegalStateException("setfsuid(" + account.uid() + ") did not take");
    }
  }

  /** Takes back {@code server}'s own, this thread's identity before {@link #become}. */
  public static void restore(Account server) {
    LibC.syscall(SYS_SETFSUID, server.uid(), 0);
    LibC.syscall(SYS_SETFSGID, server.gid(), 0);
    setGroups(server.groups());
  }

  private static void setGroups(List<Integer> groups) {
    try (Memory ids = new Memory(4L * Math.max(1, groups.size()))) {
      for (int i = 0; i < groups.size(); i++) {
        ids.setInt(4L * i, groups.get(i));
      }
      if (LibC.syscall(SYS_SETGROUPS, groups.size(), Pointer.nativeValue(ids)) != 0) {
        throw OsException.last("setgroups");
      }
    }
  }

  /** setfsuid answers the previous value, and changes nothing for an invalid one (-1). */
  private static int currentFsUid() {
    return (int) LibC.syscall(SYS_SETFSUID, -1, 0);
  }
}
