package io.procgate.core.internal.os;

import com.sun.jna.Memory;

/** A non-blocking eventfd: a counter another thread bumps to wake a thread waiting in epoll. */
public final class EventFd implements AutoCloseable {
  private final int fd;
  private final Memory one = new Memory(8);
  private final Memory sink = new Memory(8);

  public EventFd() {
    fd = LibC.eventfd(0, FileDescriptors.O_CLOEXEC | FileDescriptors.O_NONBLOCK);
    if (fd < 0) {
      throw OsException.last("eventfd");
    }
    one.setLong(0, 1);
  }

  public int fd() {
    return fd;
  }

  /** Makes the descriptor readable; safe from any thread. */
  public void signal() {
    LibC.write(fd, one, 8);
  }

  /** Resets the counter, making the descriptor unreadable until the next {@link #signal()}. */
  public void drain() {
    LibC.read(fd, sink, 8);
  }

  @Override
  public void close() {
    FileDescriptors.close(fd);
  }
}
