package io.procgate.server.resource;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Waits, on a worker thread, for what the executor does on its event loop. The executor bounds
 * every such wait itself; the limit here only guards against a bug turning into a stuck request.
 */
final class Waiting {
  private static final Duration LIMIT = Duration.ofMinutes(2);

  /** Something that may wait, such as a measurement over a window. */
  interface Interruptible<T> {
    T call() throws InterruptedException;
  }

  private Waiting() {}

  /** The future's value; its failure, a {@code ProcessException} for instance, is rethrown. */
  static <T> T on(CompletableFuture<T> future) {
    try {
      return future.get(LIMIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException failure) {
        throw failure;
      }
      throw new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the executor", e);
    } catch (TimeoutException e) {
      throw new IllegalStateException("the executor did not answer within " + LIMIT, e);
    }
  }

  static <T> T interruptibly(Interruptible<T> call) {
    try {
      return call.call();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
