package io.procgate.core.files;

import io.procgate.core.internal.io.EventLoop;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;

/**
 * A directory watch's one reader: events leave the watch's queue only as fast as the reader asks
 * for them. State lives on the event loop; the subscriber's callbacks run on its delivery executor,
 * in order, one at a time.
 */
final class WatchReader implements Flow.Subscription {
  private final DirectoryWatch watch;
  private final Flow.Subscriber<? super WatchEvent> subscriber;
  private final Executor delivery;
  private final Duration heartbeat;
  private final EventLoop loop;
  // Loop thread only.
  private long demand;
  private boolean ended;
  private EventLoop.Timer quiet;

  WatchReader(
      DirectoryWatch watch,
      Flow.Subscriber<? super WatchEvent> subscriber,
      Executor delivery,
      Duration heartbeat,
      EventLoop loop) {
    this.watch = watch;
    this.subscriber = subscriber;
    this.delivery = delivery;
    this.heartbeat = heartbeat;
    this.loop = loop;
    delivery.execute(() -> subscriber.onSubscribe(this));
    armHeartbeat();
  }

  @Override
  public void request(long n) {
    loop.execute(
        () -> {
          if (n <= 0) {
            end();
            return;
          }
          demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
          wake();
        });
  }

  @Override
  public void cancel() {
    loop.execute(this::stop);
  }

  /** Delivers what is queued, as far as the demand goes; loop thread. */
  void wake() {
    while (!ended && demand > 0) {
      WatchEvent event = watch.next();
      if (event == null) {
        return;
      }
      emit(event);
    }
  }

  private void emit(WatchEvent event) {
    demand--;
    armHeartbeat();
    delivery.execute(() -> subscriber.onNext(event));
  }

  private void armHeartbeat() {
    if (quiet != null) {
      quiet.cancel();
    }
    quiet =
        loop.schedule(
            heartbeat,
            () -> {
              quiet = null;
              if (!ended && demand > 0) {
                emit(new WatchEvent(WatchEvent.Type.KEEP_ALIVE, "", "", false, 0));
              } else if (!ended) {
                armHeartbeat();
              }
            });
  }

  /** Ends the stream: the watch closed, or another reader took over; loop thread. */
  void end() {
    if (!ended) {
      stop();
      delivery.execute(subscriber::onComplete);
    }
  }

  private void stop() {
    ended = true;
    if (quiet != null) {
      quiet.cancel();
      quiet = null;
    }
  }
}
