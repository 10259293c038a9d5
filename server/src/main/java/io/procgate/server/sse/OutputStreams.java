package io.procgate.server.sse;

import io.procgate.core.SpawnedProcess;
import io.procgate.server.config.ProcgateConfig;
import io.procgate.server.error.ApiException;
import io.procgate.server.error.ErrorCode;
import io.procgate.server.session.Session;
import io.smallrye.mutiny.Multi;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.concurrent.Executor;
import org.jboss.resteasy.reactive.RestMulti;

/**
 * Opens a process's output as an SSE stream for the current request. Events are delivered on the
 * request's Vert.x context, only as fast as the client takes them; the session counts as in use
 * while the stream is open.
 */
@ApplicationScoped
public class OutputStreams {
  private final Duration keepAlive;

  OutputStreams(ProcgateConfig config) {
    this.keepAlive = config.spawn().keepAlive();
  }

  /**
   * @param lastEventId the {@code Last-Event-ID} of a reconnecting client, or null
   * @throws ApiException when {@code lastEventId} names no event of this process
   */
  public Multi<byte[]> open(Session session, SpawnedProcess process, String lastEventId) {
    Multi<byte[]> frames =
        OutputEvents.EXIT_ID.equals(lastEventId) && !process.isRunning()
            ? Multi.createFrom().empty()
            : frames(process, lastEventId);
    Session.Use use = session.use();
    // Quarkus REST writes each frame as it is, one at a time; proxies must not buffer the stream.
    return RestMulti.fromMultiData(frames.onTermination().invoke(use::close))
        .header("Content-Type", "text/event-stream")
        .header("Cache-Control", "no-cache")
        .header("X-Accel-Buffering", "no")
        .build();
  }

  private Multi<byte[]> frames(SpawnedProcess process, String lastEventId) {
    long after = resumePoint(lastEventId);
    Context context = Vertx.currentContext();
    Executor delivery = task -> context.runOnContext(ignored -> task.run());
    try {
      return Multi.createFrom()
          .publisher(process.output(after, delivery, keepAlive))
          .map(OutputEvents::toFrame);
    } catch (IllegalArgumentException e) {
      throw invalidLastEventId(lastEventId);
    }
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
        ErrorCode.INVALID_LAST_EVENT_ID,
        "Last-Event-ID " + ApiException.quoted(lastEventId) + " is not an event of this process");
  }
}
