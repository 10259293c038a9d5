package io.procgate.client.stream;

import io.procgate.client.ApiClient;
import io.procgate.client.ApiException;
import io.procgate.client.model.LogEvent;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.util.Optional;

/**
 * Reads a session's log ({@code GET /browsers/{id}/logs/stream}, Server-Sent Events), which the
 * generated client cannot: a file of the session's, or the output of one of its browser's programs.
 *
 * <pre>{@code
 * try (LogEvents log = LogEvents.ofFile(api, sessionId, "/tmp/app.log", true)) {
 *   for (Optional<LogEvent> line = log.next(); line.isPresent(); line = log.next()) {
 *     ...
 *   }
 * }
 * }</pre>
 *
 * Not thread-safe: one reader per instance. A followed log's stream ends when it is closed or the
 * session ends; one not followed, at the log's end.
 */
public final class LogEvents implements AutoCloseable {
  private final SseEvents events;

  private LogEvents(ApiClient api, InputStream body) {
    this.events = new SseEvents(api.getObjectMapper(), body);
  }

  /**
   * Opens the stream of the file at {@code path}.
   *
   * @param follow start at the file's end and go on with the lines added, rather than read the
   *     lines there are and end
   * @throws ApiException when the server answers with an error instead of a stream
   */
  public static LogEvents ofFile(ApiClient api, String sessionId, String path, boolean follow)
      throws ApiException {
    return open(api, sessionId, "path", follow, "path", path);
  }

  /**
   * Opens the stream of the output of {@code program}, one of the session's browser's: {@code
   * chromium}, or {@code xvfb} when headful.
   *
   * @throws ApiException when the server answers with an error instead of a stream
   */
  public static LogEvents ofProgram(ApiClient api, String sessionId, String program, boolean follow)
      throws ApiException {
    return open(api, sessionId, "supervisor", follow, "supervisor_process", program);
  }

  private static LogEvents open(
      ApiClient api, String sessionId, String source, boolean follow, String key, String value)
      throws ApiException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(
                ApiCall.uri(
                    api,
                    sessionId,
                    "/logs/stream",
                    "source",
                    source,
                    "follow",
                    Boolean.toString(follow),
                    key,
                    value))
            .GET()
            .header("Accept", "text/event-stream");
    return new LogEvents(api, ApiCall.send(api, "logsStream", request).body());
  }

  /**
   * The next line, waiting for it.
   *
   * @return empty once the stream has ended
   */
  public Optional<LogEvent> next() {
    return events.next(LogEvent.class);
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
