package io.procgate.server.resource;

import io.procgate.core.ExecResult;
import io.procgate.core.Execution;
import io.vertx.core.http.HttpServerResponse;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Waits, on a worker thread, for a synchronous execution of the current request, and abandons it
 * (ending its process group) if the client goes away first. The connection is checked every {@value
 * #CHECK_MILLIS} ms; the result itself is taken the moment it is ready.
 */
@ApplicationScoped
class ExecAwaiter {
  private static final long CHECK_MILLIS = 200;

  private final HttpServerResponse response;

  ExecAwaiter(HttpServerResponse response) {
    this.response = response;
  }

  ExecResult await(Execution execution) {
    boolean abandoned = false;
    while (true) {
      try {
        return execution.result().get(CHECK_MILLIS, TimeUnit.MILLISECONDS);
      } catch (TimeoutException stillRunning) {
        if (!abandoned && response.closed()) {
          abandoned = true;
          execution.abandon();
        }
      } catch (InterruptedException e) {
        execution.abandon();
        Thread.currentThread().interrupt();
        throw new IllegalStateException(
            "interrupted while waiting for process " + execution.pid(), e);
      } catch (ExecutionException e) {
        throw new IllegalStateException(
            "execution of process " + execution.pid() + " failed", e.getCause());
      }
    }
  }
}
