package io.procgate.core.internal.os;

import com.sun.jna.Memory;
import com.sun.jna.NativeLong;

/** Pseudo-terminals: the server keeps the master, the child opens the slave by path. */
public final class Pty {
  private static final NativeLong TIOCGWINSZ = new NativeLong(0x5413);
  private static final NativeLong TIOCSWINSZ = new NativeLong(0x5414);

  private Pty() {}

  /** A new terminal pair: the master descriptor and the path of its slave. */
  public record Pair(int master, String slavePath) {}

  /**
   * Opens a terminal already sized to {@code rows} by {@code cols}, so the child's first look at
   * its size is the requested one.
   */
  public static Pair open(int rows, int cols) {
    int master =
        LibC.posix_openpt(
            FileDescriptors.O_RDWR | FileDescriptors.O_NOCTTY | FileDescriptors.O_CLOEXEC);
    if (master < 0) {
      throw OsException.last("posix_openpt");
    }
    try {
      if (LibC.grantpt(master) != 0) {
        throw OsException.last("grantpt");
      }
      if (LibC.unlockpt(master) != 0) {
        throw OsException.last("unlockpt");
      }
      Memory name = new Memory(128);
      int error = LibC.ptsname_r(master, name, name.size());
      if (error != 0) {
        throw new OsException("ptsname_r", error);
      }
      resize(master, rows, cols);
      return new Pair(master, name.getString(0));
    } catch (RuntimeException e) {
      FileDescriptors.close(master);
      throw e;
    }
  }

  /**
   * Sets the terminal's size; the kernel sends SIGWINCH to the terminal's foreground process group
   * when it changes.
   */
  public static void resize(int master, int rows, int cols) {
    Memory winsize = new Memory(8);
    winsize.clear();
    winsize.setShort(0, (short) rows);
    winsize.setShort(2, (short) cols);
    if (LibC.VARIADIC.ioctl(master, TIOCSWINSZ, winsize) != 0) {
      throw OsException.last("ioctl(TIOCSWINSZ)");
    }
  }

  /** The terminal's size as {@code {rows, cols}}. */
  public static int[] size(int master) {
    Memory winsize = new Memory(8);
    if (LibC.VARIADIC.ioctl(master, TIOCGWINSZ, winsize) != 0) {
      throw OsException.last("ioctl(TIOCGWINSZ)");
    }
    return new int[] {
      Short.toUnsignedInt(winsize.getShort(0)), Short.toUnsignedInt(winsize.getShort(2))
    };
  }
}
