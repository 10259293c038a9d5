package io.procgate.core.internal.os;

/** inotify: a descriptor that reads as events on the directories it watches. */
public final class Inotify {
  public static final int IN_MODIFY = 0x00000002;
  public static final int IN_MOVED_FROM = 0x00000040;
  public static final int IN_MOVED_TO = 0x00000080;
  public static final int IN_CREATE = 0x00000100;
  public static final int IN_DELETE = 0x00000200;
  public static final int IN_DELETE_SELF = 0x00000400;
  public static final int IN_MOVE_SELF = 0x00000800;
  public static final int IN_Q_OVERFLOW = 0x00004000;
  public static final int IN_IGNORED = 0x00008000;
  public static final int IN_ONLYDIR = 0x01000000;
  public static final int IN_DONT_FOLLOW = 0x02000000;
  public static final int IN_EXCL_UNLINK = 0x04000000;
  public static final int IN_ISDIR = 0x40000000;

  private Inotify() {}

  /** A new inotify descriptor, non-blocking and close-on-exec. */
  public static int init() {
    int fd = LibC.inotify_init1(FileDescriptors.O_NONBLOCK | FileDescriptors.O_CLOEXEC);
    if (fd < 0) {
      throw OsException.last("inotify_init1");
    }
    return fd;
  }

  /**
   * Watches {@code path} for {@code mask}, with the calling thread's file system rights.
   *
   * @return the watch descriptor events carry
   */
  public static int addWatch(int fd, String path, int mask) {
    int wd = LibC.inotify_add_watch(fd, path, mask);
    if (wd < 0) {
      throw OsException.last("inotify_add_watch(" + path + ")");
    }
    return wd;
  }
}
