package io.procgate.server.transfer;

import io.procgate.server.error.ApiException;
import io.procgate.server.error.ErrorCode;
import io.procgate.server.http.UnreadBody;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.CompletableFuture;
import org.jboss.logging.Logger;

/**
 * A request body read into a {@link Sink} only as fast as the sink takes it, and counted against a
 * limit. Quarkus REST leaves the request paused for a method that takes no body; reading starts
 * here, with a {@code 100 Continue} for a client that waits for one. Confined to the request's
 * context.
 */
final class RequestBody {
  /** Where the bytes go. */
  interface Sink {
    /**
     * Takes the next bytes.
     *
     * @return whether it takes more at once; if not, it calls {@link RequestBody#resume()} when it
     *     does
     */
    boolean write(Buffer bytes);

    /** The whole body has arrived; completes once the sink is done with it. */
    CompletableFuture<Void> end();

    /**
     * The body will not be complete, or the sink failed: whatever it wrote must go. Idempotent.
     *
     * @return completes once it is gone; the refusal is answered only then
     */
    CompletableFuture<Void> abort();
  }

  private static final Logger LOG = Logger.getLogger(RequestBody.class);

  private final RoutingContext exchange;
  private final HttpServerRequest request;
  private final Context context;
  private final long limit;
  private Sink sink;
  private final CompletableFuture<Void> done = new CompletableFuture<>();
  private long received;
  private boolean ended;
  private boolean stopped;

  RequestBody(RoutingContext exchange, Context context, long limit) {
    this.exchange = exchange;
    this.request = exchange.request();
    this.context = context;
    this.limit = limit;
  }

  /**
   * Starts reading into {@code sink}; call on the request's context.
   *
   * @return completes when the sink is done with the whole body; fails, with the sink aborted, when
   *     the body passes the limit, the client goes away, the sink fails, or {@link #fail} is
   *     called; cancelling it aborts the sink too
   */
  CompletableFuture<Void> start(Sink sink) {
    this.sink = sink;
    start();
    return done;
  }

  private void start() {
    // Cancelled by Quarkus REST when the client went away.
    done.whenComplete(
        (result, failure) -> {
          if (failure != null) {
            context.runOnContext(ignored -> sink.abort());
          }
        });
    request.handler(this::data);
    request.endHandler(ignored -> end());
    request.exceptionHandler(this::fail);
    if ("100-continue".equalsIgnoreCase(request.getHeader(HttpHeaders.EXPECT))) {
      request.response().writeContinue();
    }
    request.resume();
  }

  private void data(Buffer bytes) {
    if (stopped || done.isDone()) {
      return;
    }
    received += bytes.length();
    if (received > limit) {
      fail(
          new ApiException(
              ErrorCode.UPLOAD_TOO_LARGE,
              "the upload is larger than this server's limit of " + limit + " bytes"));
      return;
    }
    boolean more;
    try {
      more = sink.write(bytes);
    } catch (RuntimeException e) {
      fail(e);
      return;
    }
    if (!more) {
      request.pause();
    }
  }

  /** The sink takes more again. */
  void resume() {
    if (!done.isDone() && !ended) {
      request.resume();
    }
  }

  private void end() {
    if (done.isDone()) {
      return;
    }
    ended = true;
    CompletableFuture<Void> finished;
    try {
      finished = sink.end();
    } catch (RuntimeException e) {
      fail(e);
      return;
    }
    finished.whenComplete(
        (result, failure) -> {
          if (failure == null) {
            done.complete(null);
          } else {
            fail(failure);
          }
        });
  }

  /** Fails the body, from any thread: the sink is aborted and the answer closes the connection. */
  void fail(Throwable cause) {
    if (Vertx.currentContext() == context) {
      stop(cause);
    } else {
      context.runOnContext(ignored -> stop(cause));
    }
  }

  private void stop(Throwable cause) {
    if (stopped || done.isDone()) {
      return;
    }
    stopped = true;
    if (!ended) {
      // The rest of the body goes unread, and the connection with it once the answer is out.
      UnreadBody.dropAndClose(exchange);
    }
    CompletableFuture<Void> removed;
    try {
      removed = sink.abort();
    } catch (RuntimeException e) {
      removed = CompletableFuture.failedFuture(e);
    }
    // A client told its upload was refused finds nothing of it left. The removal ends on a worker
    // thread; the body stays confined to its context.
    removed.whenComplete(
        (gone, failure) ->
            context.runOnContext(
                ignored -> {
                  if (failure != null) {
                    LOG.warn("an upload could not be cleaned up after a failure", failure);
                  }
                  done.completeExceptionally(cause);
                }));
  }
}
