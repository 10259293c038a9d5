package io.procgate.client.stream;

import io.procgate.client.ApiClient;
import io.procgate.client.ApiException;
import io.procgate.client.model.FsWatchEvent;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.util.Optional;

/**
 * Reads a directory watch's events ({@code GET /browsers/{id}/fs/watch/{watch_id}/events},
 * Server-Sent Events), which the generated client cannot. Events come one at a time, as the server
 * sends them; keep-alive comments are skipped and counted. An {@code OVERFLOW} event says how many
 * were lost before it.
 *
 * <pre>{@code
 * String watchId = files.fsWatchStart(sessionId, new FsWatchRequest().path("/tmp/out")).getWatchId();
 * try (WatchEvents events = WatchEvents.open(api, sessionId, watchId)) {
 *   for (Optional<FsWatchEvent> e = events.next(); e.isPresent(); e = events.next()) {
 *     ...
 *   }
 * }
 * }</pre>
 *
 * Not thread-safe: one reader per instance. The stream ends when the watch is stopped, or taken
 * over by another reader.
 */
public final class WatchEvents implements AutoCloseable {
  private final SseEvents events;

  private WatchEvents(ApiClient api, InputStream body) {
    this.events = new SseEvents(api.getObjectMapper(), body);
  }

  /**
   * Opens the stream.
   *
   * @throws ApiException when the server answers with an error instead of a stream
   */
  public static WatchEvents open(ApiClient api, String sessionId, String watchId)
      throws ApiException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(
                ApiCall.uri(api, sessionId, "/fs/watch/" + ApiCall.segment(watchId) + "/events"))
            .GET()
            .header("Accept", "text/event-stream");
    return new WatchEvents(api, ApiCall.send(api, "fsWatchEvents", request).body());
  }

  /**
   * The next event, waiting for it.
   *
   * @return empty once the stream has ended
   */
  public Optional<FsWatchEvent> next() {
    return events.next(FsWatchEvent.class);
  }

  /** How many keep-alive comments the stream carried so far. */
  public int keepAlives() {
    return events.keepAlives();
  }

  /** Stops reading; the server ends its side of the stream. */
  @Override
  public void close() throws IOException {
    events.close();
  }
}
