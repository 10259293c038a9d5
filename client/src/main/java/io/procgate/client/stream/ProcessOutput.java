package io.procgate.client.stream;

import io.procgate.client.ApiClient;
import io.procgate.client.ApiException;
import io.procgate.client.model.ProcessStreamEvent;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Optional;

/**
 * Reads a process's output stream ({@code GET /browsers/{id}/process/{process_id}/stdout/stream},
 * Server-Sent Events), which the generated client cannot: it expects one JSON body. Events come one
 * at a time, as the server sends them; keep-alive comments are skipped and counted.
 *
 * <pre>{@code
 * try (ProcessOutput output = ProcessOutput.open(api, sessionId, processId, null)) {
 *   for (Optional<ProcessOutput.Event> e = output.next(); e.isPresent(); e = output.next()) {
 *     ProcessStreamEvent event = e.get().data();
 *     ...
 *   }
 * }
 * }</pre>
 *
 * Not thread-safe: one reader per instance.
 */
public final class ProcessOutput implements AutoCloseable {

  /**
   * One event.
   *
   * @param id what to pass as {@code lastEventId} to resume after this event
   */
  public record Event(String id, ProcessStreamEvent data) {}

  private final SseEvents events;

  private ProcessOutput(ApiClient api, InputStream body) {
    this.events = new SseEvents(api.getObjectMapper(), body);
  }

  /**
   * Opens the stream.
   *
   * @param lastEventId the id of the last event already seen, to resume after it; null for all
   * @throws ApiException when the server answers with an error instead of a stream
   */
  public static ProcessOutput open(
      ApiClient api, String sessionId, String processId, String lastEventId) throws ApiException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(
                ApiCall.uri(
                    api, sessionId, "/process/" + ApiCall.segment(processId) + "/stdout/stream"))
            .GET()
            .header("Accept", "text/event-stream");
    if (lastEventId != null) {
      request.header("Last-Event-ID", lastEventId);
    }
    HttpResponse<InputStream> response = ApiCall.send(api, "processStdoutStream", request);
    return new ProcessOutput(api, response.body());
  }

  /**
   * The next event, waiting for it.
   *
   * @return empty once the stream has ended, which it does after the exit event
   */
  public Optional<Event> next() {
    return events.next(ProcessStreamEvent.class).map(data -> new Event(events.id(), data));
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
