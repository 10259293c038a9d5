package io.procgate.core.internal.os;

import com.sun.jna.Native;
import com.sun.jna.Pointer;

/** Raw file descriptors: pipes, non-blocking mode, reads, writes and closing. */
public final class FileDescriptors {
  static final int O_RDONLY = 0;
  static final int O_WRONLY = 1;
  static final int O_CREAT = 0x40;
  static final int O_EXCL = 0x80;
  static final int O_RDWR = 2;
  static final int O_NOCTTY = 0x100;
  static final int O_NONBLOCK = 0x800;
  static final int O_CLOEXEC = 0x80000;
  static final int O_DIRECTORY = 0x10000;

  private static final int F_GETFL = 3;
  private static final int F_SETFL = 4;
  private static final int F_DUPFD_CLOEXEC = 1030;

  /** What a non-blocking read or write returns when it would have blocked. */
  public static final long WOULD_BLOCK = -2;

  private FileDescriptors() {}

  /** The two ends of a pipe, both close-on-exec and blocking. */
  public record Pipe(int readEnd, int writeEnd) {}

  public static Pipe pipe() {
    int[] fds = new int[2];
    if (LibC.pipe2(fds, O_CLOEXEC) != 0) {
      throw OsException.last("pipe2");
    }
    return new Pipe(fds[0], fds[1]);
  }

  /**
   * Makes {@code fd} non-blocking. Only for descriptors the server alone uses: the flag belongs to
   * the open file description, so setting it on a child's end would change the child's too.
   */
  public static void setNonBlocking(int fd) {
    int flags = LibC.fcntl(fd, F_GETFL, 0);
    if (flags < 0 || LibC.fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
      throw OsException.last("fcntl(O_NONBLOCK)");
    }
  }

  /**
   * A second descriptor for the open file of {@code fd}, close-on-exec. It shares the file's offset
   * and flags, non-blocking among them, but can be watched and closed on its own.
   */
  public static int duplicate(int fd) {
    int copy = LibC.fcntl(fd, F_DUPFD_CLOEXEC, 0);
    if (copy < 0) {
      throw OsException.last("fcntl(F_DUPFD_CLOEXEC)");
    }
    return copy;
  }

  /**
   * Reads at most {@code length} bytes into {@code buffer}.
   *
   * @return the count read, 0 at end of file, or {@link #WOULD_BLOCK}
   * @throws OsException on any other failure
   */
  public static long read(int fd, Pointer buffer, long length) {
    while (true) {
      long n = LibC.read(fd, buffer, length);
      if (n >= 0) {
        return n;
      }
      int errno = Native.getLastError();
      if (errno == Errno.EAGAIN) {
        return WOULD_BLOCK;
      }
      if (errno != Errno.EINTR) {
        throw new OsException("read", errno);
      }
    }
  }

  /**
   * Writes at most {@code length} bytes from {@code buffer}.
   *
   * @return the count written, or {@link #WOULD_BLOCK}
   * @throws OsException on any other failure, {@code EPIPE} among them
   */
  public static long write(int fd, Pointer buffer, long length) {
    while (true) {
      long n = LibC.write(fd, buffer, length);
      if (n >= 0) {
        return n;
      }
      int errno = Native.getLastError();
      if (errno == Errno.EAGAIN) {
        return WOULD_BLOCK;
      }
      if (errno != Errno.EINTR) {
        throw new OsException("write", errno);
      }
    }
  }

  /**
   * Opens an existing file for writing, close-on-exec: for the kernel's own files ({@code /proc},
   * cgroups), written to with {@link #write} many times over.
   */
  public static int openForWriting(String path) {
    int fd = LibC.open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
      throw OsException.last("open(" + path + ")");
    }
    return fd;
  }

  /**
   * Opens an existing file for reading, close-on-exec, with the calling thread's rights; without
   * waiting, so that a FIFO with no writer does not hold the thread (reads from it would not wait
   * either).
   */
  public static int openForReading(String path) {
    int fd = LibC.open(path, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
      throw OsException.last("open(" + path + ")");
    }
    return fd;
  }

  /** Opens an existing directory, close-on-exec, for the calls that take one by descriptor. */
  static int openDirectory(String path) {
    int fd = LibC.open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
      throw OsException.last("open(" + path + ")");
    }
    return fd;
  }

  /** Creates a file that must not exist yet, for writing, close-on-exec. */
  public static int createExclusively(String path, int mode) {
    int fd = LibC.VARIADIC.open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOCTTY | O_CLOEXEC, mode);
    if (fd < 0) {
      throw OsException.last("open(" + path + ", O_CREAT|O_EXCL)");
    }
    return fd;
  }

  /** Closes {@code fd}, ignoring negative values and failures: there is nothing left to do. */
  public static void close(int fd) {
    if (fd >= 0) {
      LibC.close(fd);
    }
  }
}
