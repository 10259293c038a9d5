package io.procgate.core.internal.os;

import com.sun.jna.Native;

/** A libc call failed; carries the call's name and {@code errno}. */
public final class OsException extends RuntimeException {
  private final int errno;

  public OsException(String call, int errno) {
    super(call + ": " + describe(errno));
    this.errno = errno;
  }

  /** Builds the exception from the calling thread's {@code errno}, just after a failed call. */
  static OsException last(String call) {
    return new OsException(call, Native.getLastError());
  }

  public int errno() {
    return errno;
  }

  /** The operating system's text for {@code errno}, as {@code strerror} gives it. */
  public static String describe(int errno) {
    return LibC.strerror(errno).getString(0);
  }
}
