package io.procgate.core.internal.io;

import com.sun.jna.Memory;
import io.procgate.core.ProcessException;
import io.procgate.core.ProcessException.Kind;
import io.procgate.core.internal.os.Epoll;
import io.procgate.core.internal.os.Errno;
import io.procgate.core.internal.os.FileDescriptors;
import io.procgate.core.internal.os.OsException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;

/**
 * Writes to a child's stdin on the event loop. Writes go in the order they were asked for, each as
 * far as the pipe takes it; when the pipe is full a write waits for the child to read, but never
 * past its own wait, and then reports what went in. Owns its (non-blocking) descriptor.
 *
 * <p>Threading: {@link #write} from any thread; everything else on the loop.
 */
public final class StdinWriter {
  // What a terminal reads as end of file in canonical mode (VEOF, Ctrl-D).
  private static final byte TERMINAL_EOF = 0x04;

  private final EventLoop loop;
  private final boolean terminal;
  private final ArrayDeque<Write> queue = new ArrayDeque<>();
  private int fd;
  private boolean watching;
  private ProcessException closed;

  private static final class Write {
    final byte[] data;
    final boolean closeAfter;
    final CompletableFuture<Integer> result = new CompletableFuture<>();
    int written;
    EventLoop.Timer deadline;

    Write(byte[] data, boolean closeAfter) {
      this.data = data;
      this.closeAfter = closeAfter;
    }
  }

  /**
   * @param fd the server's end of the child's stdin, or a duplicate of a terminal's master
   * @param terminal whether {@code fd} is a terminal, which is never closed: EOF is sent instead
   */
  public StdinWriter(EventLoop loop, int fd, boolean terminal) {
    this.loop = loop;
    this.fd = fd;
    this.terminal = terminal;
  }

  /**
   * Writes {@code data}, then closes stdin if {@code closeAfter}.
   *
   * @return the count written, which is short when the child did not read within {@code wait};
   *     fails with a {@link ProcessException} when stdin is closed or the process exited
   */
  public CompletableFuture<Integer> write(byte[] data, boolean closeAfter, Duration wait) {
    Write write;
    if (terminal && closeAfter) {
      byte[] withEof = Arrays.copyOf(data, data.length + 1);
      withEof[data.length] = TERMINAL_EOF;
      write = new Write(withEof, false);
    } else {
      write = new Write(data, closeAfter);
    }
    loop.execute(() -> enqueue(write, wait));
    return write.result.thenApply(count -> Math.min(count, data.length));
  }

  /** Fails every waiting write with {@code reason} and closes the descriptor; loop thread. */
  public void shutDown(ProcessException reason) {
    closeWith(reason);
  }

  private void enqueue(Write write, Duration wait) {
    if (closed != null) {
      write.result.completeExceptionally(closed);
      return;
    }
    queue.addLast(write);
    write.deadline = loop.schedule(wait, () -> expire(write));
    pump();
  }

  private void pump() {
    Memory buffer = loop.readBuffer();
    while (!queue.isEmpty()) {
      Write head = queue.peekFirst();
      while (head.written < head.data.length) {
        int length = Math.min(head.data.length - head.written, (int) buffer.size());
        buffer.write(0, head.data, head.written, length);
        long n;
        try {
          n = FileDescriptors.write(fd, buffer, length);
        } catch (OsException e) {
          closeWith(
              e.errno() == Errno.EPIPE
                  ? new ProcessException(Kind.STDIN_CLOSED, "the process closed its stdin")
                  : new ProcessException(
                      Kind.SYSTEM_FAILURE, "writing to stdin: " + e.getMessage()));
          return;
        }
        if (n == FileDescriptors.WOULD_BLOCK) {
          watch(true);
          return;
        }
        head.written += (int) n;
      }
      queue.removeFirst();
      head.deadline.cancel();
      head.result.complete(head.written);
      if (head.closeAfter) {
        closeWith(new ProcessException(Kind.STDIN_CLOSED, "stdin was closed"));
        return;
      }
    }
    watch(false);
  }

  private void expire(Write write) {
    if (write.result.isDone()) {
      return;
    }
    queue.remove(write);
    write.result.complete(write.written);
    pump();
  }

  private void watch(boolean writable) {
    if (writable && !watching) {
      loop.register(fd, Epoll.OUT, events -> pump());
      watching = true;
    } else if (!writable && watching) {
      loop.unregister(fd);
      watching = false;
    }
  }

  private void closeWith(ProcessException reason) {
    if (closed != null) {
      return;
    }
    closed = reason;
    watch(false);
    FileDescriptors.close(fd);
    fd = -1;
    while (!queue.isEmpty()) {
      Write pending = queue.removeFirst();
      pending.deadline.cancel();
      pending.result.completeExceptionally(reason);
    }
  }
}
