package io.procgate.core.internal.stream;

import io.procgate.core.ExitStatus;
import io.procgate.core.OutputEvent;
import io.procgate.core.OutputEvent.Source;
import io.procgate.core.internal.io.EventLoop;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;

/**
 * The retained output of one process: its stdout and stderr chunks in the order they were read, at
 * most {@code capacity} bytes of them; when more arrive the oldest go. Any number of readers
 * subscribe, each from the start of what is retained or from a position it already reached, and
 * each gets every later event in order and at its own pace, the exit last.
 *
 * <p>Positions are offsets in the process's output, stdout and stderr together, counted from its
 * start: a reader that has seen the event ending at offset {@code n} resumes with {@code n}.
 *
 * <p>Threading: {@link #append} and {@link #finish} are called by one thread at a time (the event
 * loop), never after {@code finish}. {@link #subscribe} may be called from any thread. Each
 * subscription calls its subscriber's {@code onNext}, {@code onComplete} and {@code onError} on the
 * executor the subscriber gave, one call at a time, and only while it has demand; it may be
 * requested and cancelled from any thread. Memory: the buffer holds at most {@code capacity} bytes
 * plus one chunk; a slow reader holds nothing but its position.
 */
public final class OutputBuffer {
  private static final System.Logger LOG = System.getLogger(OutputBuffer.class.getName());

  /**
   * The most bytes one output event carries; consecutive chunks of a source are merged up to it.
   */
  static final int MAX_EVENT_BYTES = 128 * 1024;

  private record Chunk(Source source, long offset, byte[] data) {
    long end() {
      return offset + data.length;
    }
  }

  private final int capacity;
  // Keyed by offset, so a reader far behind the writer finds its chunk in log time: a large
  // buffer holds thousands of chunks, and every event of every reader looks one up.
  private final NavigableMap<Long, Chunk> chunks = new TreeMap<>();
  private final List<Runnable> waiting = new ArrayList<>();
  private long retained;
  private long end;
  private ExitStatus exit;

  public OutputBuffer(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be positive");
    }
    this.capacity = capacity;
  }

  /** Copies {@code data} in as the next output of {@code source}, dropping the oldest if full. */
  public void append(Source source, ByteBuffer data) {
    byte[] bytes = new byte[data.remaining()];
    data.get(bytes);
    List<Runnable> wake;
    synchronized (this) {
      chunks.put(end, new Chunk(source, end, bytes));
      end += bytes.length;
      retained += bytes.length;
      while (retained > capacity) {
        Chunk oldest = chunks.pollFirstEntry().getValue();
        retained -= oldest.data().length;
        if (retained < capacity) {
          // Keep the tail of a chunk that straddles the limit.
          int keep = (int) (capacity - retained);
          byte[] tail = new byte[keep];
          System.arraycopy(oldest.data(), oldest.data().length - keep, tail, 0, keep);
          chunks.put(oldest.end() - keep, new Chunk(oldest.source(), oldest.end() - keep, tail));
          retained += keep;
        }
      }
      wake = takeWaiting();
    }
    wakeAll(wake);
  }

  /** Records the exit; readers get it after all output. */
  public void finish(ExitStatus status) {
    List<Runnable> wake;
    synchronized (this) {
      exit = status;
      wake = takeWaiting();
    }
    wakeAll(wake);
  }

  /** Wakes readers; one whose executor refuses the work must not stop the others or the writer. */
  private static void wakeAll(List<Runnable> readers) {
    for (Runnable reader : readers) {
      try {
        reader.run();
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "a reader of process output could not be woken", e);
      }
    }
  }

  /** The offset just past the last byte appended. */
  public synchronized long endOffset() {
    return end;
  }

  /** Bytes the buffer no longer holds because it overflowed. */
  public synchronized long droppedBytes() {
    return end - retained;
  }

  /**
   * Subscribes a reader.
   *
   * @param after the position to start after: 0 for everything still retained
   * @param delivery runs the subscriber's callbacks
   * @param heartbeat how long a reader may wait without news before it gets a {@link
   *     OutputEvent.Heartbeat}; timed on {@code timers}
   * @throws IllegalArgumentException when {@code after} is past the output written so far
   */
  public Flow.Publisher<OutputEvent> subscribe(
      long after, Executor delivery, Duration heartbeat, EventLoop timers) {
    synchronized (this) {
      if (after < 0 || after > end) {
        throw new IllegalArgumentException(
            "position " + after + " is not in this output, which has " + end + " bytes");
      }
    }
    return subscriber ->
        subscriber.onSubscribe(
            new OutputSubscription(this, subscriber, after, delivery, heartbeat, timers));
  }

  /**
   * The event a reader at {@code position} gets next, or null when there is none yet.
   *
   * @param position the reader's position, raised past any output dropped since
   */
  synchronized OutputEvent next(long position) {
    if (position >= end) {
      return exit == null ? null : new OutputEvent.Exit(exit, end);
    }
    long first = chunks.firstKey();
    long dropped = Math.max(0, first - position);
    long from = Math.max(position, first);
    Iterator<Chunk> it = chunks.tailMap(chunks.floorKey(from), true).values().iterator();
    Chunk chunk = it.next();
    Source source = chunk.source();
    List<byte[]> parts = new ArrayList<>();
    int size = 0;
    long cursor = from;
    while (true) {
      int skip = (int) (cursor - chunk.offset());
      int take = Math.min(chunk.data().length - skip, MAX_EVENT_BYTES - size);
      parts.add(
          skip == 0 && take == chunk.data().length
              ? chunk.data()
              : slice(chunk.data(), skip, take));
      size += take;
      cursor += take;
      if (size == MAX_EVENT_BYTES || !it.hasNext()) {
        break;
      }
      chunk = it.next();
      if (chunk.source() != source) {
        break;
      }
    }
    byte[] data = parts.size() == 1 ? parts.get(0) : concat(parts, size);
    return new OutputEvent.Output(source, data, cursor, dropped);
  }

  /**
   * Runs {@code wake} once, on the appending thread, when a reader at {@code position} has
   * something new.
   *
   * @return false, without registering, when it already has
   */
  synchronized boolean awaitAfter(long position, Runnable wake) {
    if (position < end || exit != null) {
      return false;
    }
    waiting.add(wake);
    return true;
  }

  synchronized void stopWaiting(Runnable wake) {
    waiting.remove(wake);
  }

  private List<Runnable> takeWaiting() {
    if (waiting.isEmpty()) {
      return List.of();
    }
    List<Runnable> wake = new ArrayList<>(waiting);
    waiting.clear();
    return wake;
  }

  private static byte[] slice(byte[] data, int from, int length) {
    byte[] part = new byte[length];
    System.arraycopy(data, from, part, 0, length);
    return part;
  }

  private static byte[] concat(List<byte[]> parts, int size) {
    byte[] all = new byte[size];
    int offset = 0;
    for (byte[] part : parts) {
      System.arraycopy(part, 0, all, offset, part.length);
      offset += part.length;
    }
    return all;
  }
}
