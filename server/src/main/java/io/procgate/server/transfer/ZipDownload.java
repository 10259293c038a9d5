package io.procgate.server.transfer;

import io.procgate.core.files.UserFiles;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;

/**
 * A directory's zip, made while the client reads it: written on a file thread (with the session
 * user's rights) into pieces of {@value #PIECE} bytes, each handed on only when the reader has
 * asked for one, so that a slow reader holds the writer back instead of filling memory. The
 * subscriber's callbacks run on its delivery executor, in order.
 */
final class ZipDownload implements Flow.Publisher<byte[]> {
  private static final int PIECE = 64 * 1024;

  private final UserFiles files;
  private final String path;
  private final Executor delivery;

  ZipDownload(UserFiles files, String path, Executor delivery) {
    this.files = files;
    this.path = path;
    this.delivery = delivery;
  }

  @Override
  public void subscribe(Flow.Subscriber<? super byte[]> subscriber) {
    Pieces pieces = new Pieces(subscriber);
    delivery.execute(() -> subscriber.onSubscribe(pieces));
    files
        .zip(path, pieces)
        .whenComplete(
            (done, failure) ->
                delivery.execute(
                    () -> {
                      if (failure == null) {
                        subscriber.onComplete();
                      } else if (!pieces.cancelled()) {
                        subscriber.onError(failure);
                      }
                    }));
  }

  /** The zip's bytes, cut into pieces as the reader asks for them. */
  private final class Pieces extends OutputStream implements Flow.Subscription {
    private final Flow.Subscriber<? super byte[]> subscriber;
    private byte[] piece = new byte[PIECE];
    private int filled;
    // Guarded by this.
    private long demand;
    private boolean cancelled;

    Pieces(Flow.Subscriber<? super byte[]> subscriber) {
      this.subscriber = subscriber;
    }

    @Override
    public void write(int b) throws IOException {
      if (filled == PIECE) {
        handOn();
      }
      piece[filled++] = (byte) b;
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
      while (length > 0) {
        if (filled == PIECE) {
          handOn();
        }
        int n = Math.min(length, PIECE - filled);
        System.arraycopy(bytes, offset, piece, filled, n);
        filled += n;
        offset += n;
        length -= n;
      }
    }

    /** The end of the zip: what is left goes as the last piece. */
    @Override
    public void close() throws IOException {
      if (filled > 0) {
        handOn();
      }
    }

    /** Waits until the reader asks for a piece, then hands it the one filled. */
    private void handOn() throws IOException {
      synchronized (this) {
        while (demand == 0 && !cancelled) {
          try {
            wait();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while the reader was slow", e);
          }
        }
        if (cancelled) {
          throw new IOException("the reader went away");
        }
        demand--;
      }
      byte[] out = filled == PIECE ? piece : Arrays.copyOf(piece, filled);
      piece = new byte[PIECE];
      filled = 0;
      delivery.execute(() -> subscriber.onNext(out));
    }

    @Override
    public synchronized void request(long n) {
      if (n <= 0) {
        cancel();
        return;
      }
      demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
      notifyAll();
    }

    @Override
    public synchronized void cancel() {
      cancelled = true;
      notifyAll();
    }

    synchronized boolean cancelled() {
      return cancelled;
    }
  }
}
