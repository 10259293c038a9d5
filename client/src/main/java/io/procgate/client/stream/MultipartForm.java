package io.procgate.client.stream;

import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A {@code multipart/form-data} body (RFC 7578) whose files are streamed from their own publishers,
 * never held in memory; its length is known when every file's is.
 */
final class MultipartForm {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final String boundary;
  private final List<HttpRequest.BodyPublisher> pieces = new ArrayList<>();

  MultipartForm() {
    byte[] random = new byte[16];
    RANDOM.nextBytes(random);
    this.boundary = "procgate-" + HexFormat.of().formatHex(random);
  }

  MultipartForm field(String name, String value) {
    pieces.add(text(head(name) + "\r\n\r\n" + value + "\r\n"));
    return this;
  }

  MultipartForm file(String name, String filename, HttpRequest.BodyPublisher content) {
    pieces.add(
        text(
            head(name)
                + "; filename=\""
                + quoted(filename)
                + "\"\r\nContent-Type: application/octet-stream\r\n\r\n"));
    pieces.add(content);
    pieces.add(text("\r\n"));
    return this;
  }

  String contentType() {
    return "multipart/form-data; boundary=" + boundary;
  }

  HttpRequest.BodyPublisher body() {
    List<HttpRequest.BodyPublisher> all = new ArrayList<>(pieces);
    all.add(text("--" + boundary + "--\r\n"));
    return BodyPublishers.concat(all.toArray(HttpRequest.BodyPublisher[]::new));
  }

  private String head(String name) {
    return "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + quoted(name) + "\"";
  }

  /** As browsers write names: quotes and line ends percent-encoded. */
  private static String quoted(String value) {
    return value.replace("\"", "%22").replace("\r", "%0D").replace("\n", "%0A");
  }

  private static HttpRequest.BodyPublisher text(String text) {
    return BodyPublishers.ofString(text, StandardCharsets.UTF_8);
  }
}
