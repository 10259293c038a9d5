package io.procgate.core.internal.os;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Platform;

/**
 * An epoll instance with its event array, level-triggered. {@link #add}, {@link #modify} and {@link
 * #remove} are safe from any thread, as {@code epoll_ctl} is; {@link #await} and what it fills
 * belong to one thread at a time.
 */
public final class Epoll implements AutoCloseable {
  public static final int IN = 0x001;
  public static final int OUT = 0x004;
  public static final int ERR = 0x008;
  public static final int HUP = 0x010;

  private static final int CTL_ADD = 1;
  private static final int CTL_DEL = 2;
  private static final int CTL_MOD = 3;

  // struct epoll_event is packed on x86-64 (4 + 8 bytes) and naturally aligned elsewhere.
  private static final boolean PACKED = Platform.isIntel() && Platform.is64Bit();
  private static final int EVENT_SIZE = PACKED ? 12 : 16;
  private static final int DATA_OFFSET = PACKED ? 4 : 8;
  // The same struct as ints for epoll_ctl: events, then the data's low half (the descriptor; both
  // layouts are little-endian) at DATA_OFFSET.
  private static final int REQUEST_INTS = EVENT_SIZE / Integer.BYTES;

  private final int fd;
  private final int capacity;
  private final Memory events;

  public Epoll(int capacity) {
    this.fd = LibC.epoll_create1(FileDescriptors.O_CLOEXEC);
    if (fd < 0) {
      throw OsException.last("epoll_create1");
    }
    this.capacity = capacity;
    this.events = new Memory((long) capacity * EVENT_SIZE);
  }

  public void add(int target, int interest) {
    control(CTL_ADD, target, interest);
  }

  public void modify(int target, int interest) {
    control(CTL_MOD, target, interest);
  }

  public void remove(int target) {
    // The kernel ignores the event of a removal.
    epollCtl(CTL_DEL, target, null);
  }

  private void control(int op, int target, int interest) {
    int[] request = new int[REQUEST_INTS];
    request[0] = interest;
    request[DATA_OFFSET / Integer.BYTES] = target;
    epollCtl(op, target, request);
  }

  private void epollCtl(int op, int target, int[] request) {
    if (LibC.epoll_ctl(fd, op, target, request) != 0) {
      throw OsException.last("epoll_ctl");
    }
  }

  /**
   * Waits for events.
   *
   * @param timeoutMillis -1 to wait without limit
   * @return how many entries {@link #fdAt} and {@link #eventsAt} hold; 0 on timeout or signal
   */
  public int await(int timeoutMillis) {
    int n = LibC.epoll_wait(fd, events, capacity, timeoutMillis);
    if (n >= 0) {
      return n;
    }
    int errno = Native.getLastError();
    if (errno == Errno.EINTR) {
      return 0;
    }
    throw new OsException("epoll_wait", errno);
  }

  public int fdAt(int index) {
    return (int) events.getLong((long) index * EVENT_SIZE + DATA_OFFSET);
  }

  public int eventsAt(int index) {
    return events.getInt((long) index * EVENT_SIZE);
  }

  @Override
  public void close() {
    FileDescriptors.close(fd);
  }
}
