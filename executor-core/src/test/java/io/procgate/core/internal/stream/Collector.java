package io.procgate.core.internal.stream;

import io.procgate.core.OutputEvent;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;

/**
 * A subscriber that records every event, asking for {@code batch} at a time, and checks the
 * reactive-streams rules it relies on: no call after completion, none concurrent.
 */
public final class Collector implements Flow.Subscriber<OutputEvent> {
  public final List<OutputEvent> events = new CopyOnWriteArrayList<>();
  public final CompletableFuture<List<OutputEvent>> done = new CompletableFuture<>();
  private final long batch;
  private Flow.Subscription subscription;
  private long outstanding;
  private volatile boolean inCall;

  public Collector(long batch) {
    this.batch = batch;
  }

  public static Collector unbounded() {
    return new Collector(Long.MAX_VALUE);
  }

  public Flow.Subscription subscription() {
    return subscription;
  }

  @Override
  public void onSubscribe(Flow.Subscription subscription) {
    this.subscription = subscription;
    outstanding = batch;
    subscription.request(batch);
  }

  @Override
  public void onNext(OutputEvent event) {
    enter();
    if (done.isDone()) {
      done.completeExceptionally(new AssertionError("onNext after completion"));
    }
    events.add(event);
    if (batch != Long.MAX_VALUE && --outstanding == 0) {
      outstanding = batch;
      subscription.request(batch);
    }
    inCall = false;
  }

  @Override
  public void onError(Throwable error) {
    done.completeExceptionally(error);
  }

  @Override
  public void onComplete() {
    enter();
    done.complete(events);
    inCall = false;
  }

  private void enter() {
    if (inCall) {
      done.completeExceptionally(new AssertionError("concurrent calls to the subscriber"));
    }
    inCall = true;
  }

  /** The bytes of every output event of {@code source}, in order. */
  public static byte[] bytes(List<OutputEvent> events, OutputEvent.Source source) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (OutputEvent event : events) {
      if (event instanceof OutputEvent.Output output && output.source() == source) {
        out.writeBytes(output.data());
      }
    }
    return out.toByteArray();
  }
}
