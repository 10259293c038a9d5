package io.procgate.client.stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/**
 * Server-Sent Events read from a response body, one at a time: each event's {@code id} and its
 * {@code data} lines joined and parsed as JSON; keep-alive comments are skipped and counted. Not
 * thread-safe.
 */
final class SseEvents implements AutoCloseable {
  private static final byte[] ID = ascii("id:");
  private static final byte[] DATA = ascii("data:");

  private final ObjectMapper json;
  private final InputStream body;
  private final SseLineReader lines;
  private byte[] data = new byte[1024];
  private int dataLength;
  private String id;
  private int keepAlives;

  SseEvents(ObjectMapper json, InputStream body) {
    this.json = json;
    this.body = body;
    this.lines = new SseLineReader(body);
  }

  /**
   * The next event's data as a {@code type}, waiting for it; {@link #id()} is then its id.
   *
   * @return empty once the stream has ended
   */
  <T> Optional<T> next(Class<T> type) {
    try {
      if (!next()) {
        return Optional.empty();
      }
      return Optional.of(json.readValue(data, 0, dataLength, type));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Reads the next event with data.
   *
   * @return false once the stream has ended
   */
  private boolean next() throws IOException {
    boolean hasData = false;
    id = null;
    dataLength = 0;
    while (lines.next()) {
      byte[] line = lines.buffer();
      int start = lines.start();
      int length = lines.length();
      if (length == 0) {
        if (hasData) {
          return true;
        }
        id = null;
      } else if (line[start] == ':') {
        keepAlives++;
      } else if (startsWith(line, start, length, ID)) {
        int from = valueStart(line, start + ID.length, start + length);
        id = new String(line, from, start + length - from, StandardCharsets.UTF_8);
      } else if (startsWith(line, start, length, DATA)) {
        if (hasData) {
          append(new byte[] {'\n'}, 0, 1);
        }
        hasData = true;
        int from = valueStart(line, start + DATA.length, start + length);
        append(line, from, start + length - from);
      }
    }
    return false;
  }

  /** The event's {@code id}, or null. */
  String id() {
    return id;
  }

  int keepAlives() {
    return keepAlives;
  }

  /** Stops reading; the server ends its side of the stream. */
  @Override
  public void close() throws IOException {
    body.close();
  }

  private void append(byte[] bytes, int from, int length) {
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
}
