package io.procgate.client.stream;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Splits a Server-Sent Events stream into lines as bytes, ending a line at LF, CR or CRLF as the
 * SSE format allows. Bytes, not characters: an event's data is JSON, which Jackson parses straight
 * from UTF-8, and a stream that carries hundreds of MiB of base64 should not be decoded into chars
 * and copied through Strings on its way there.
 *
 * <p>A line is {@code buffer()[start(), start() + length())}, valid until the next {@link #next()}.
 */
final class SseLineReader {
  private final InputStream in;
  private byte[] buffer = new byte[64 * 1024];
  private int position;
  private int limit;
  private int start;
  private int length;
  private boolean afterCr;

  SseLineReader(InputStream in) {
    this.in = in;
  }

  /**
   * Reads the next line.
   *
   * @return false at the end of the stream; an unterminated last line is dropped, as SSE drops it
   */
  boolean next() throws IOException {
    if (afterCr) {
      afterCr = false;
      if (position == limit && !fill()) {
        return false;
      }
      if (buffer[position] == '\n') {
        position++;
      }
    }
    int scan = position;
    while (true) {
      for (; scan < limit; scan++) {
        byte b = buffer[scan];
        if (b == '\n' || b == '\r') {
          start = position;
          length = scan - position;
          position = scan + 1;
          afterCr = b == '\r';
          return true;
        }
      }
      int scanned = scan - position;
      if (!fill()) {
        return false;
      }
      scan = position + scanned;
    }
  }

  byte[] buffer() {
    return buffer;
  }

  int start() {
    return start;
  }

  int length() {
    return length;
  }

  /** Reads more input, first moving unread bytes to the front, or growing for a long line. */
  private boolean fill() throws IOException {
    if (position > 0) {
      System.arraycopy(buffer, position, buffer, 0, limit - position);
      limit -= position;
      position = 0;
    }
    if (limit == buffer.length) {
      buffer = Arrays.copyOf(buffer, buffer.length * 2);
    }
    int read = in.read(buffer, limit, buffer.length - limit);
    if (read < 0) {
      return false;
    }
    limit += read;
    return true;
  }
}
