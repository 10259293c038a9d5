package io.procgate.core.internal.stream;

import io.procgate.core.OutputEvent;
import io.procgate.core.internal.io.EventLoop;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One reader of an {@link OutputBuffer}. It emits only what was requested, from the reader's
 * position on; when it has demand but nothing to emit it asks the buffer to wake it, and after a
 * quiet heartbeat interval emits a {@link OutputEvent.Heartbeat}.
 *
 * <p>All emission happens in {@link #drain()}, which runs on the delivery executor and never
 * concurrently with itself: whoever wants it run (a request, new output, the heartbeat timer) bumps
 * {@code pending}, and only the caller that found it at zero submits a drain, which loops until it
 * has seen every bump.
 */
final class OutputSubscription implements Flow.Subscription {
  private final OutputBuffer buffer;
  private final Flow.Subscriber<? super OutputEvent> subscriber;
  private final Executor delivery;
  private final Duration heartbeat;
  private final EventLoop timers;
  private final AtomicLong demand = new AtomicLong();
  private final AtomicInteger pending = new AtomicInteger();
  private final Runnable wake = this::schedule;

  // Confined to drain().
  private long position;
  private boolean done;
  private EventLoop.Timer heartbeatTimer;

  private volatile boolean cancelled;
  private volatile boolean heartbeatDue;

  OutputSubscription(
      OutputBuffer buffer,
      Flow.Subscriber<? super OutputEvent> subscriber,
      long position,
      Executor delivery,
      Duration heartbeat,
      EventLoop timers) {
    this.buffer = buffer;
    this.subscriber = subscriber;
    this.position = position;
    this.delivery = delivery;
    this.heartbeat = heartbeat;
    this.timers = timers;
  }

  @Override
  public void request(long n) {
    if (n <= 0) {
      cancel();
      delivery.execute(
          () ->
              subscriber.onError(
                  new IllegalArgumentException("request(" + n + ") must be positive")));
      return;
    }
    demand.getAndAccumulate(
        n, (current, add) -> current + add < 0 ? Long.MAX_VALUE : current + add);
    schedule();
  }

  @Override
  public void cancel() {
    cancelled = true;
    buffer.stopWaiting(wake);
    schedule();
  }

  private void schedule() {
    if (pending.getAndIncrement() == 0) {
      delivery.execute(this::drain);
    }
  }

  private void drain() {
    int missed = 1;
    do {
      emitWhileDemanded();
      missed = pending.addAndGet(-missed);
    } while (missed != 0);
  }

  private void emitWhileDemanded() {
    if (done) {
      return;
    }
    if (cancelled) {
      stop();
      return;
    }
    while (demand.get() > 0) {
      OutputEvent event = buffer.next(position);
      if (event == null) {
        if (heartbeatDue) {
          heartbeatDue = false;
          heartbeatTimer = null;
          emit(new OutputEvent.Heartbeat());
          continue;
        }
        if (buffer.awaitAfter(position, wake)) {
          armHeartbeat();
          return;
        }
        continue;
      }
      disarmHeartbeat();
      emit(event);
      if (event instanceof OutputEvent.Output output) {
        position = output.endOffset();
      } else if (event instanceof OutputEvent.Exit) {
        stop();
        subscriber.onComplete();
        return;
      }
      if (cancelled) {
        stop();
        return;
      }
    }
  }

  private void emit(OutputEvent event) {
    demand.decrementAndGet();
    subscriber.onNext(event);
  }

  private void armHeartbeat() {
    if (heartbeatTimer == null) {
      heartbeatTimer =
          timers.schedule(
              heartbeat,
              () -> {
                heartbeatDue = true;
                buffer.stopWaiting(wake);
                schedule();
              });
    }
  }

  private void disarmHeartbeat() {
    if (heartbeatTimer != null) {
      heartbeatTimer.cancel();
      heartbeatTimer = null;
    }
    heartbeatDue = false;
  }

  private void stop() {
    done = true;
    disarmHeartbeat();
    buffer.stopWaiting(wake);
  }
}
