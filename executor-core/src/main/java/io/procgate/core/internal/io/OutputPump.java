package io.procgate.core.internal.io;

import com.sun.jna.Memory;
import io.procgate.core.internal.os.Epoll;
import io.procgate.core.internal.os.FileDescriptors;
import io.procgate.core.internal.os.OsException;
import java.nio.ByteBuffer;

/**
 * Reads one non-blocking descriptor on the event loop until end of file, handing each chunk to a
 * {@link Sink}. It never stops reading because of a slow consumer: sinks bound their own memory.
 * The pump owns the descriptor and closes it when it ends.
 */
public final class OutputPump {
  // Bounds the time one busy descriptor can hold the loop before others get a turn.
  private static final int MAX_READS_PER_WAKEUP = 8;
  // What stop() still reads: enough for the buffered output of any exited process, bounded
  // against a background process that keeps writing.
  private static final int MAX_READS_ON_STOP = 64;

  /**
   * Receives a pump's output, on the event loop thread, in order; {@link #onEnd()} comes last and
   * once.
   */
  public interface Sink {
    /**
     * Bytes just read. The buffer is the loop's and only valid during the call: copy what you keep.
     */
    void onData(ByteBuffer chunk);

    /** The descriptor reached end of file, failed, or the pump was stopped. */
    void onEnd();
  }

  private final EventLoop loop;
  private final int fd;
  private final Sink sink;
  // From construction: a pump that never started still owns its descriptor, and stop closes it.
  private boolean open = true;
  // Once the descriptor has given end of file or failed, another read would only say so again.
  private boolean exhausted;

  /** Takes ownership of {@code fd}, which must already be non-blocking. */
  public OutputPump(EventLoop loop, int fd, Sink sink) {
    this.loop = loop;
    this.fd = fd;
    this.sink = sink;
  }

  /** Starts watching the descriptor, from any thread; everything after runs on the loop. */
  public void start() {
    loop.register(fd, Epoll.IN, events -> drain());
  }

  public boolean isOpen() {
    return open;
  }

  private void drain() {
    if (read(MAX_READS_PER_WAKEUP)) {
      stop();
    }
  }

  /**
   * Reads at most {@code reads} times, until the descriptor would block.
   *
   * @return true at end of file or on a read error: a terminal master reads EIO once the last slave
   *     descriptor is closed, which is its end of file
   */
  private boolean read(int reads) {
    Memory buffer = loop.readBuffer();
    try {
      for (int i = 0; i < reads; i++) {
        long n = FileDescriptors.read(fd, buffer, buffer.size());
        if (n == FileDescriptors.WOULD_BLOCK) {
          return false;
        }
        if (n == 0) {
          exhausted = true;
          return true;
        }
        sink.onData(buffer.getByteBuffer(0, n));
      }
      return false;
    } catch (OsException e) {
      exhausted = true;
      return true;
    }
  }

  /**
   * Stops reading, after taking what the descriptor holds already: output a process wrote before it
   * exited is never lost to a deadline. Then closes the descriptor and tells the sink. Loop thread
   * only, idempotent.
   */
  public void stop() {
    if (!open) {
      return;
    }
    if (!exhausted) {
      read(MAX_READS_ON_STOP);
    }
    open = false;
    loop.unregister(fd);
    FileDescriptors.close(fd);
    sink.onEnd();
  }
}
