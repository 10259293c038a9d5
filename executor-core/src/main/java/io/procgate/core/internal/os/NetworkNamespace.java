package io.procgate.core.internal.os;

import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * Runs work on the calling thread inside another network namespace. Linux keeps namespaces per
 * thread, so the rest of the JVM stays where it is; a child spawned meanwhile starts inside, and so
 * do the sockets it opens. A multithreaded process may enter a network namespace, unlike a mount or
 * user one.
 */
public final class NetworkNamespace {
  private static final int CLONE_NEWNET = 0x40000000;
  // The server's own, opened by a thread that never left it: where threads come back to.
  private static final int HOST = FileDescriptors.openForReading("/proc/thread-self/ns/net");

  private NetworkNamespace() {}

  /**
   * Runs {@code work} inside the namespace open as {@code fd}, then takes the thread back.
   *
   * @throws OsException when the namespace cannot be entered; {@code work} has not run then
   * @throws IllegalStateException when the thread cannot come back, which leaves it inside: a state
   *     no caller can recover from
   */
  public static int within(int fd, IntSupplier work) {
    return inside(fd, () -> Integer.valueOf(work.getAsInt()));
  }

  /** As {@link #within(int, IntSupplier)}, for work that makes an object, such as a socket. */
  public static <T> T inside(int fd, Supplier<T> work) {
    if (LibC.setns(fd, CLONE_NEWNET) != 0) {
      throw OsException.last("setns");
    }
    try {
      return work.get();
    } finally {
      if (LibC.setns(HOST, CLONE_NEWNET) != 0) {
        throw new IllegalStateException(
            "thread " + Thread.currentThread().getName() + " cannot leave a session's network");
      }
    }
  }
}
