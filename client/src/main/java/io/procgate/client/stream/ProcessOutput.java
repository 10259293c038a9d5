package io.procgate.client.stream;

import io.procgate.client.ApiClient;
import io.procgate.client.ApiException;
import io.procgate.client.model.ProcessStreamEvent;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
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

  private final ApiClient api;
  private final BufferedReader reader;
  private final InputStream body;
  private int keepAlives;

  private ProcessOutput(ApiClient api, InputStream body) {
    this.api = api;
    this.body = body;
    this.reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
  }

  /**
   * Opens the stream.
   *
   * @param lastEventId the id of the last event already seen, to resume after it; null for all
   * @throws ApiException when the server answers with an error instead of a stream
   */
  public static ProcessOutput open(
      ApiClient api, String sessionId, String processId, String lastEventId) throws ApiException {
    URI uri =
        URI.create(
            api.getBaseUri()
                + "/browsers/"
                + encode(sessionId)
                + "/process/"
                + encode(processId)
                + "/stdout/stream");
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri).GET().header("Accept", "text/event-stream");
    if (lastEventId != null) {
      request.header("Last-Event-ID", lastEventId);
    }
    if (api.getRequestInterceptor() != null) {
      api.getRequestInterceptor().accept(request);
    }
    HttpResponse<InputStream> response;
    try {
      response =
          api.getHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (IOException e) {
      throw new ApiException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiException(e);
    }
    if (response.statusCode() != 200) {
      String error;
      try (InputStream errorBody = response.body()) {
        error = new String(errorBody.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        error = "";
      }
      throw new ApiException(
          response.statusCode(),
          "processStdoutStream call failed with: " + response.statusCode() + " - " + error,
          response.headers(),
          error);
    }
    return new ProcessOutput(api, response.body());
  }

  /**
   * The next event, waiting for it.
   *
   * @return empty once the stream has ended, which it does after the exit event
   */
  public Optional<Event> next() {
    String id = null;
    StringBuilder data = null;
    try {
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        if (line.isEmpty()) {
          if (data != null) {
            return Optional.of(
                new Event(
                    id,
                    api.getObjectMapper().readValue(data.toString(), ProcessStreamEvent.class)));
          }
          id = null;
        } else if (line.startsWith(":")) {
          keepAlives++;
        } else if (line.startsWith("id:")) {
          id = field(line, 3);
        } else if (line.startsWith("data:")) {
          data = data == null ? new StringBuilder() : data.append('\n');
          data.append(field(line, 5));
        }
      }
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** How many keep-alive comments the stream carried so far. */
  public int keepAlives() {
    return keepAlives;
  }

  /** Stops reading; the server ends its side of the stream. */
  @Override
  public void close() throws IOException {
    body.close();
  }

  private static String field(String line, int nameLength) {
    String value = line.substring(nameLength);
    return value.startsWith(" ") ? value.substring(1) : value;
  }

  private static String encode(String segment) {
    return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
