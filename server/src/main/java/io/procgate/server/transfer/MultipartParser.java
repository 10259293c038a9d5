package io.procgate.server.transfer;

import io.netty.buffer.ByteBuf;
import io.procgate.server.error.ApiException;
import io.procgate.server.error.ErrorCode;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;

/**
 * Reads a {@code multipart/form-data} body (RFC 7578) as it arrives, handing each part's content on
 * as slices of the input: nothing is held back but a part's headers and, at the end of a piece of
 * input, the few bytes that may begin a boundary. Not thread-safe.
 */
final class MultipartParser {
  /** What the body holds, in order. */
  interface Parts {
    /** A part begins; {@code filename} is present for a file. */
    void beginPart(String name, Optional<String> filename);

    /** The next bytes of the part's content. */
    void partContent(Buffer bytes);

    /** The part is complete. */
    void endPart();
  }

  private static final int MAX_HEADER_BYTES = 16 * 1024;
  private static final int MAX_BOUNDARY = 70;
  private static final byte CR = '\r';

  private enum State {
    CONTENT,
    AFTER_BOUNDARY,
    HEADERS,
    EPILOGUE
  }

  private final byte[] delimiter;
  private final Parts parts;
  // The delimiter is CRLF "--" boundary; the first one has no CRLF before it, so one is assumed.
  private Buffer carry = Buffer.buffer("\r\n");
  private State state = State.CONTENT;
  private boolean inPart;
  private int headerBytes;
  private String partName;
  private String fileName;

  MultipartParser(String boundary, Parts parts) {
    this.delimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.US_ASCII);
    this.parts = parts;
  }

  /** The boundary of a {@code multipart/form-data} content type; 400 when there is none. */
  static String boundary(String contentType) {
    if (contentType == null
        || !contentType.strip().toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
      throw invalid("the request body must be multipart/form-data");
    }
    String boundary = parameter(contentType, "boundary");
    if (boundary == null
        || boundary.isEmpty()
        || boundary.length() > MAX_BOUNDARY
        || !boundary.chars().allMatch(c -> c > ' ' && c < 127 || c == ' ')) {
      throw invalid("the multipart/form-data content type has no valid boundary");
    }
    return boundary;
  }

  /** Takes the next piece of the body. */
  void feed(Buffer input) {
    Buffer data = carry.length() == 0 ? input : carry.appendBuffer(input);
    carry = Buffer.buffer();
    int at = 0;
    while (at < data.length()) {
      at =
          switch (state) {
            case CONTENT -> content(data, at);
            case AFTER_BOUNDARY -> afterBoundary(data, at);
            case HEADERS -> header(data, at);
            case EPILOGUE -> data.length();
          };
      if (at < 0) {
        return;
      }
    }
  }

  /** The body has ended; 400 unless it ended after the closing boundary. */
  void finish() {
    if (state != State.EPILOGUE) {
      throw invalid("the multipart body ends before its closing boundary");
    }
  }

  /**
   * Hands on content up to the next delimiter; keeps what may be the start of one for the next
   * piece. Returns where to go on, or -1 when the piece is used up.
   */
  private int content(Buffer data, int from) {
    int found = indexOfDelimiter(data, from);
    if (found >= 0) {
      emit(data, from, found);
      if (inPart) {
        parts.endPart();
        inPart = false;
      }
      state = State.AFTER_BOUNDARY;
      return found + delimiter.length;
    }
    int keep = partialDelimiterAtEnd(data, from);
    emit(data, from, data.length() - keep);
    carry = data.getBuffer(data.length() - keep, data.length());
    return -1;
  }

  private void emit(Buffer data, int from, int to) {
    // Before the first boundary is the preamble, which RFC 2046 says to ignore.
    if (inPart && to > from) {
      parts.partContent(data.slice(from, to));
    }
  }

  private int indexOfDelimiter(Buffer data, int from) {
    ByteBuf bytes = data.getByteBuf();
    int last = data.length() - delimiter.length;
    for (int at = from; at <= last; at++) {
      at = bytes.indexOf(at, last + 1, CR);
      if (at < 0) {
        return -1;
      }
      if (matches(data, at, delimiter.length)) {
        return at;
      }
    }
    return -1;
  }

  /** How many bytes at the end of {@code data} are the delimiter's first ones. */
  private int partialDelimiterAtEnd(Buffer data, int from) {
    int longest = Math.min(delimiter.length - 1, data.length() - from);
    for (int length = longest; length > 0; length--) {
      if (matches(data, data.length() - length, length)) {
        return length;
      }
    }
    return 0;
  }

  private boolean matches(Buffer data, int at, int length) {
    for (int i = 0; i < length; i++) {
      if (data.getByte(at + i) != delimiter[i]) {
        return false;
      }
    }
    return true;
  }

  /** After a delimiter: "--" closes the body, CRLF begins a part; transport padding allowed. */
  private int afterBoundary(Buffer data, int from) {
    int at = from;
    while (at < data.length() && (data.getByte(at) == ' ' || data.getByte(at) == '\t')) {
      at++;
    }
    if (data.length() - at < 2) {
      carry = data.getBuffer(at, data.length());
      return -1;
    }
    byte first = data.getByte(at);
    byte second = data.getByte(at + 1);
    if (first == '-' && second == '-') {
      state = State.EPILOGUE;
      return data.length();
    }
    if (first != CR || second != '\n') {
      throw invalid("a multipart boundary is followed by neither a line end nor \"--\"");
    }
    state = State.HEADERS;
    headerBytes = 0;
    partName = null;
    fileName = null;
    return at + 2;
  }

  /** Reads one header line; the empty line ends the headers and begins the content. */
  private int header(Buffer data, int from) {
    int end = -1;
    for (int at = from; at + 1 < data.length(); at++) {
      if (data.getByte(at) == CR && data.getByte(at + 1) == '\n') {
        end = at;
        break;
      }
    }
    if (end < 0) {
      if (headerBytes + data.length() - from > MAX_HEADER_BYTES) {
        throw invalid("a part's headers are larger than " + MAX_HEADER_BYTES + " bytes");
      }
      carry = data.getBuffer(from, data.length());
      return -1;
    }
    headerBytes += end - from + 2;
    if (headerBytes > MAX_HEADER_BYTES) {
      throw invalid("a part's headers are larger than " + MAX_HEADER_BYTES + " bytes");
    }
    if (end == from) {
      if (partName == null) {
        throw invalid("a part has no Content-Disposition with a name");
      }
      parts.beginPart(partName, Optional.ofNullable(fileName));
      inPart = true;
      state = State.CONTENT;
      return end + 2;
    }
    String line = data.getString(from, end, StandardCharsets.UTF_8.name());
    int colon = line.indexOf(':');
    if (colon > 0
        && line.substring(0, colon).strip().equalsIgnoreCase("Content-Disposition")
        && line.substring(colon + 1).strip().toLowerCase(Locale.ROOT).startsWith("form-data")) {
      partName = parameter(line, "name");
      fileName = parameter(line, "filename");
    }
    return end + 2;
  }

  /**
   * The value of parameter {@code name} in a header value such as {@code form-data; name="a"}:
   * quoted (backslash escapes undone; percent-encoding, which RFC 7578 senders use instead, is kept
   * as it is) or a bare token; null when absent.
   */
  static String parameter(String header, String name) {
    int at = header.indexOf(';');
    while (at >= 0 && at < header.length()) {
      at++;
      while (at < header.length() && header.charAt(at) == ' ') {
        at++;
      }
      int equals = header.indexOf('=', at);
      if (equals < 0) {
        return null;
      }
      String key = header.substring(at, equals).strip();
      StringBuilder value = new StringBuilder();
      int next = equals + 1;
      boolean quoted = next < header.length() && header.charAt(next) == '"';
      if (quoted) {
        next++;
        while (next < header.length() && header.charAt(next) != '"') {
          char c = header.charAt(next);
          if (c == '\\' && next + 1 < header.length()) {
            next++;
            c = header.charAt(next);
          }
          value.append(c);
          next++;
        }
        next = header.indexOf(';', next);
      } else {
        int semicolon = header.indexOf(';', next);
        value.append(header, next, semicolon < 0 ? header.length() : semicolon);
        next = semicolon;
      }
      if (key.equalsIgnoreCase(name)) {
        return quoted ? value.toString() : value.toString().strip();
      }
      at = next;
    }
    return null;
  }

  static ApiException invalid(String message) {
    return new ApiException(ErrorCode.INVALID_MULTIPART, message);
  }
}
