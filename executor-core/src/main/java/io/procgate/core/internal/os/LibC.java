package io.procgate.core.internal.os;

import com.sun.jna.Function;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.NativeLong;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/**
 * The libc calls procgate makes, for Linux on 64-bit x86 and ARM with glibc 2.34 or newer.
 *
 * <p>Calls are direct-mapped: JNA binds them once and each call costs about as much as a JNI call,
 * which matters for {@code read} and {@code epoll_wait} on the output path. Variadic functions
 * cannot be direct-mapped and go through {@link Variadic}. Every method returns the raw libc
 * result; callers read {@code errno} with {@link Native#getLastError()}.
 */
final class LibC {
  static {
    Native.register(LibC.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
  }

  private LibC() {}

  static final Variadic VARIADIC = Native.load(Platform.C_LIBRARY_NAME, Variadic.class);

  /**
   * {@code int posix_spawnattr_setcgroup_np(posix_spawnattr_t *, int cgroup)}, glibc 2.39 and
   * newer; null before. Looked up, not bound: direct mapping would refuse the whole class without
   * it.
   */
  static final Function POSIX_SPAWNATTR_SETCGROUP_NP = optional("posix_spawnattr_setcgroup_np");

  private static Function optional(String name) {
    try {
      return NativeLibrary.getInstance(Platform.C_LIBRARY_NAME).getFunction(name);
    } catch (UnsatisfiedLinkError absent) {
      return null;
    }
  }

  /** Functions declared with {@code ...}; JNA passes their arguments the variadic way. */
  interface Variadic extends Library {
    int open(String path, int flags, Object... mode);

    int ioctl(int fd, NativeLong request, Object... args);

    int prctl(int option, Object... args);
  }

  static native int fcntl(int fd, int cmd, long arg);

  static native long syscall(long number, long arg1, long arg2);

  static native long read(int fd, Pointer buf, long count);

  static native long write(int fd, Pointer buf, long count);

  static native long write(int fd, byte[] buf, long count);

  static native int close(int fd);

  // open(2) is variadic, but without O_CREAT it takes no third argument.
  static native int open(String path, int flags);

  /** {@code path} NUL-terminated. */
  static native int open(byte[] path, int flags);

  static native int pipe2(int[] fds, int flags);

  /** {@code path} NUL-terminated; {@code buf} at least 256 bytes. */
  static native int statx(int dirfd, byte[] path, int flags, int mask, byte[] buf);

  static native int epoll_create1(int flags);

  static native int epoll_ctl(int epfd, int op, int fd, int[] event);

  static native int epoll_wait(int epfd, Pointer events, int maxEvents, int timeoutMillis);

  static native int eventfd(int initialValue, int flags);

  static native int kill(int pid, int signal);

  static native int waitpid(int pid, int[] status, int options);

  /** {@code info} at least 128 bytes: a {@code siginfo_t}. */
  static native int waitid(int idType, int id, byte[] info, int options);

  static native int getpgid(int pid);

  static native int setns(int fd, int nsType);

  static native int flock(int fd, int operation);

  static native int getuid();

  static native int getgid();

  static native long sysconf(int name);

  static native Pointer strerror(int errno);

  static native int posix_spawn(
      int[] pid, Pointer path, Pointer fileActions, Pointer attributes, Pointer argv, Pointer envp);

  static native int posix_spawn_file_actions_init(Pointer fileActions);

  static native int posix_spawn_file_actions_destroy(Pointer fileActions);

  static native int posix_spawn_file_actions_adddup2(Pointer fileActions, int fd, int newFd);

  static native int posix_spawn_file_actions_addopen(
      Pointer fileActions, int fd, Pointer path, int flags, int mode);

  static native int posix_spawn_file_actions_addchdir_np(Pointer fileActions, Pointer path);

  static native int posix_spawn_file_actions_addclosefrom_np(Pointer fileActions, int from);

  static native int posix_spawnattr_init(Pointer attributes);

  static native int posix_spawnattr_setflags(Pointer attributes, short flags);

  static native int posix_spawnattr_setsigmask(Pointer attributes, Pointer signals);

  static native int posix_spawnattr_setsigdefault(Pointer attributes, Pointer signals);

  static native int sigemptyset(Pointer set);

  static native int sigfillset(Pointer set);

  static native int posix_openpt(int flags);

  static native int grantpt(int fd);

  static native int unlockpt(int fd);

  static native int ptsname_r(int fd, Pointer buf, long length);

  static native int getpwnam_r(
      String name, Pointer passwd, Pointer buf, long length, Pointer result);

  static native int getpwuid_r(int uid, Pointer passwd, Pointer buf, long length, Pointer result);

  static native int getgrouplist(String user, int group, int[] groups, int[] count);

  static native int getgrnam_r(
      String name, Pointer group, Pointer buf, long length, Pointer result);

  static native int getgrgid_r(int gid, Pointer group, Pointer buf, long length, Pointer result);

  static native int inotify_init1(int flags);

  static native int inotify_add_watch(int fd, String path, int mask);
}
