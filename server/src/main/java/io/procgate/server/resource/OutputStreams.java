package io.procgate.server.resource;

import io.procgate.core.SpawnedProcess;
import io.procgate.server.config.ProcgateConfig;
import io.procgate.server.error.ApiException;
import io.procgate.server.session.Session;
import io.smallrye.mutiny.Multi;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.sse.OutboundSseEvent;
import java.time.Duration;
import java.util.concurrent.Executor;

/**
 * Opens a process's output as an SSE stream for the current request. Events are delivered on the
 * request's Vert.x context, only as fast as the client takes them; the session counts as in use
 * while the stream is open.
 */
@ApplicationScoped
class OutputStreams {
  private final Duration keepAlive;
  private final HttpServerResponse response;

  OutputStreams(ProcgateConfig config, HttpServerResponse response) {
    this.keepAlive = config.spawn().keepAlive();
    this.response = response;
  }

  /**
   * @param lastEventId the {@code Last-Event-ID} of a reconnecting client, or null
   * @throws ApiException when {@code lastEventId} names no event of this process
   */
  Multi<OutboundSseEvent> open(Session session, SpawnedProcess process, String lastEventId) {
    if (OutputEvents.EXIT_ID.equals(lastEventId) && !process.isRunning()) {
      return Multi.createFrom().empty();
    }
    long after = resumePoint(lastEventId);
    Context context = Vertx.currentContext();
    Executor delivery = task -> context.runOnContext(ignored -> task.run());
    Multi<OutboundSseEvent> events;
    try {
      events =
          Multi.createFrom()
              .publisher(process.output(after, delivery, keepAlive))
              .map(OutputEvents::toSse);
    } catch (IllegalArgumentException e) {
      throw invalidLastEventId(lastEventId);
    }
    // Quarkus REST writes its own SSE headers on top of these; proxies must not buffer the stream.
    response.putHeader("Cache-Control", "no-cache").putHeader("X-Accel-Buffering", "no");
    Session.Use use = session.use();
    return events.onTermination().invoke(use::close);
  }

  private static long resumePoint(String lastEventId) {
    if (lastEventId == null || lastEventId.isBlank()) {
      return 0;
    }
    try {
      return Long.parseLong(lastEventId.strip());
    } catch (NumberFormatException e) {
      throw invalidLastEventId(lastEventId);
    }
  }

  private static ApiException invalidLastEventId(String lastEventId) {
    return new ApiException(
        400,
        "invalid_last_event_id",
        "Last-Event-ID " + ApiException.quoted(lastEventId) + " is not an event of this process");
  }
}
