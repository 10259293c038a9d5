package io.procgate.client.stream;

import io.procgate.client.ApiClient;
import io.procgate.client.ApiException;
import io.procgate.client.model.ProcessStreamEvent;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
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

  private static final byte[] ID = ascii("id:");
  private static final byte[] DATA = ascii("data:");
  private static final byte[] LINE_FEED = {'\n'};

  private final ApiClient api;
  private final SseLineReader lines;
  private final InputStream body;
  private byte[] data = new byte[1024];
  private int dataLength;
  private int keepAlives;

  private ProcessOutput(ApiClient api, InputStream body) {
    this.api = api;
    this.body = body;
    this.lines = new SseLineReader(body);
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
    boolean hasData = false;
    dataLength = 0;
    try {
      while (lines.next()) {
        byte[] line = lines.buffer();
        int start = lines.start();
        int length = lines.length();
        if (length == 0) {
          if (hasData) {
            return Optional.of(
                new Event(
                    id,
                    api.getObjectMapper()
                        .readValue(data, 0, dataLength, ProcessStreamEvent.class)));
          }
          id = null;
        } else if (line[start] == ':') {
          keepAlives++;
        } else if (startsWith(line, start, length, ID)) {
          int from = valueStart(line, start + ID.length, start + length);
          id = new String(line, from, start + length - from, StandardCharsets.UTF_8);
        } else if (startsWith(line, start, length, DATA)) {
          if (hasData) {
            appendData(LINE_FEED, 0, 1);
          }
          hasData = true;
          int from = valueStart(line, start + DATA.length, start + length);
          appendData(line, from, start + length - from);
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

  private void appendData(byte[] bytes, int from, int length) {
    if (dataLength + length > data.length) {
      data = Arrays.copyOf(data, Math.max(data.length * 2, dataLength + length));
    }
    System.arraycopy(bytes, from, data, dataLength, length);
    dataLength += length;
  }

  private static boolean startsWith(byte[] line, int start, int length, byte[] prefix) {
    return length >= prefix.length
        && Arrays.equals(line, start, start + prefix.length, prefix, 0, prefix.length);
  }

  /** Where a field's value begins: after the colon and one optional space. */
  private static int valueStart(byte[] line, int from, int end) {
    return from < end && line[from] == ' ' ? from + 1 : from;
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }

  private static String encode(String segment) {
    return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
