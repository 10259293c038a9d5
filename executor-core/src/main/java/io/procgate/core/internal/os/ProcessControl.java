package io.procgate.core.internal.os;

import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import io.procgate.core.ExitStatus;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Signals, reaping and process descriptors. */
public final class ProcessControl {
  private static final int WNOHANG = 1;
  private static final int WEXITED = 4;
  private static final int WNOWAIT = 0x01000000;
  private static final int P_ALL = 0;
  // siginfo_t is 128 bytes; its si_pid follows si_signo, si_errno, si_code and the padding that
  // aligns the union, on both 64-bit architectures procgate runs on.
  private static final int SIGINFO_SIZE = 128;
  private static final int SI_PID_OFFSET = 16;
  private static final int PR_SET_CHILD_SUBREAPER = 36;
  private static final long SYS_PIDFD_OPEN = 434;

  private ProcessControl() {}

  /**
   * Sends {@code signal} to every process in group {@code pgid}; signal 0 only checks.
   *
   * @return false when the group has no process left
   * @throws OsException when the group exists but may not be signalled
   */
  public static boolean signalGroup(int pgid, int signal) {
    if (pgid <= 1) {
      throw new IllegalArgumentException("not a process group of ours: " + pgid);
    }
    if (LibC.kill(-pgid, signal) == 0) {
      return true;
    }
    int errno = Native.getLastError();
    if (errno == Errno.ESRCH) {
      return false;
    }
    throw new OsException("kill(-" + pgid + ")", errno);
  }

  /**
   * Whether group {@code pgid} still has a process, zombies included. A group this process may not
   * signal exists all the same: {@code kill} answers {@code EPERM} only for processes that are
   * there, and {@code ESRCH} when none is.
   */
  public static boolean groupExists(int pgid) {
    if (pgid <= 1) {
      throw new IllegalArgumentException("not a process group of ours: " + pgid);
    }
    return LibC.kill(-pgid, 0) == 0 || Native.getLastError() != Errno.ESRCH;
  }

  /**
   * Sends {@code signal} to process {@code pid} alone.
   *
   * @return false when there is no such process, or it may not be signalled
   */
  public static boolean signal(int pid, int signal) {
    return pid > 1 && LibC.kill(pid, signal) == 0;
  }

  /**
   * Sets a process's {@code oom_score_adj}, from -1000 (never the OOM killer's choice) to 1000 (its
   * first), where this process may.
   *
   * @return false when it may not
   */
  public static boolean setOomScoreAdjustment(int pid, int value) {
    // As bytes, not Strings: JNA's conversion of a String argument cost more than the open itself,
    // and this runs once an exec, on the event loop.
    byte[] path =
        ("/proc/" + (pid == 0 ? "self" : Integer.toString(pid)) + "/oom_score_adj\0")
            .getBytes(StandardCharsets.US_ASCII);
    int fd = LibC.open(path, FileDescriptors.O_WRONLY | FileDescriptors.O_CLOEXEC);
    if (fd < 0) {
      return false;
    }
    try {
      byte[] text = Integer.toString(value).getBytes(StandardCharsets.US_ASCII);
      return LibC.write(fd, text, text.length) == text.length;
    } finally {
      FileDescriptors.close(fd);
    }
  }

  /**
   * Opens a pidfd: a descriptor that polls readable once process {@code pid} has exited. Unlike the
   * pid, it can never come to name another process.
   */
  public static int openPidfd(int pid) {
    long fd = LibC.syscall(SYS_PIDFD_OPEN, pid, 0);
    if (fd < 0) {
      throw OsException.last("pidfd_open");
    }
    return (int) fd;
  }

  /**
   * Reaps child {@code pid} if it has exited, without blocking.
   *
   * @return its status, or null while it runs
   * @throws OsException when {@code pid} is not a child of this process ({@code ECHILD})
   */
  public static ExitStatus reap(int pid) {
    int[] status = new int[1];
    while (true) {
      int reaped = LibC.waitpid(pid, status, WNOHANG);
      if (reaped == pid) {
        return ExitStatus.fromWaitStatus(status[0]);
      }
      if (reaped == 0) {
        return null;
      }
      int errno = Native.getLastError();
      if (errno != Errno.EINTR) {
        throw new OsException("waitpid(" + pid + ")", errno);
      }
    }
  }

  /**
   * A child of this process, any child, that has exited and is still to be reaped; it is left to be
   * reaped. One system call, where finding them all means reading all of {@code /proc}.
   *
   * @return its pid, or 0 when no child has exited
   */
  public static int exitedChild() {
    byte[] info = new byte[SIGINFO_SIZE];
    while (true) {
      if (LibC.waitid(P_ALL, 0, info, WEXITED | WNOHANG | WNOWAIT) == 0) {
        // Zero, as the array was made, when no child is waitable.
        return ByteBuffer.wrap(info).order(ByteOrder.LITTLE_ENDIAN).getInt(SI_PID_OFFSET);
      }
      int errno = Native.getLastError();
      if (errno == Errno.ECHILD) {
        return 0;
      }
      if (errno != Errno.EINTR) {
        throw new OsException("waitid", errno);
      }
    }
  }

  /**
   * Makes this process the reaper of its orphaned descendants: when a child's process exits, its
   * own children are re-parented here instead of to init, so they stay ours to end and reap.
   */
  public static void becomeChildSubreaper() {
    if (LibC.VARIADIC.prctl(PR_SET_CHILD_SUBREAPER, new NativeLong(1)) != 0) {
      throw OsException.last("prctl(PR_SET_CHILD_SUBREAPER)");
    }
  }

  /** The process group of process {@code pid}. */
  public static int groupOf(int pid) {
    int group = LibC.getpgid(pid);
    if (group < 0) {
      throw OsException.last("getpgid");
    }
    return group;
  }

  public static int uid() {
    return LibC.getuid();
  }

  public static int gid() {
    return LibC.getgid();
  }
}
