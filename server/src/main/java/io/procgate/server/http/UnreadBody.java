package io.procgate.server.http;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

/**
 * What becomes of a request body the server refuses to read: the answer is the connection's last,
 * and the connection closes once the answer is out and the body has ended. Until then the rest of
 * the body is read and dropped, up to a bound: closing a connection with bytes still arriving makes
 * the kernel reset it, and a client still sending would then see the reset instead of the answer.
 * Past the bound, or after a while, the connection closes anyway. Call on the request's context.
 */
public final class UnreadBody {
  private static final long MAX_DROPPED = 16L * 1024 * 1024;
  private static final long MAX_WAIT_MILLIS = 3_000;

  private final HttpServerRequest request;
  private long dropped;
  private boolean answered;
  private boolean bodyOver;

  private UnreadBody(HttpServerRequest request) {
    this.request = request;
  }

  /**
   * Refuses the body before any of it was asked for: a client that waits for {@code 100 Continue}
   * sends none, and its connection closes with the answer.
   */
  public static void refuseBeforeContinue(RoutingContext exchange) {
    boolean waiting =
        "100-continue".equalsIgnoreCase(exchange.request().getHeader(HttpHeaders.EXPECT));
    dropAndClose(exchange, waiting);
  }

  /** Drops the rest of {@code exchange}'s body and closes its connection after the answer. */
  public static void dropAndClose(RoutingContext exchange) {
    dropAndClose(exchange, false);
  }

  private static void dropAndClose(RoutingContext exchange, boolean noBodyComing) {
    HttpServerRequest request = exchange.request();
    UnreadBody body = new UnreadBody(request);
    if (!request.response().headWritten()) {
      request.response().putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
    }
    exchange.addEndHandler(
        sent -> {
          body.answered = true;
          body.closeWhenDone();
        });
    if (noBodyComing || request.isEnded()) {
      body.bodyOver = true;
      return;
    }
    request.handler(
        bytes -> {
          body.dropped += bytes.length();
          if (body.dropped > MAX_DROPPED) {
            body.bodyOver = true;
            body.closeWhenDone();
          }
        });
    request.endHandler(
        ended -> {
          body.bodyOver = true;
          body.closeWhenDone();
        });
    request.exceptionHandler(failed -> request.connection().close());
    exchange.vertx().setTimer(MAX_WAIT_MILLIS, late -> request.connection().close());
    request.resume();
  }

  private void closeWhenDone() {
    if (answered && bodyOver) {
      request.connection().close();
    }
  }
}
