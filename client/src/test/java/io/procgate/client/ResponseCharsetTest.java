package io.procgate.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.procgate.client.api.BrowserFilesystemApi;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The generated API classes decode answers as UTF-8 whatever the JVM's default charset: on Java 17
 * that is the locale's, US-ASCII where none is set, as in many containers. The build runs these
 * tests with a US-ASCII default.
 */
class ResponseCharsetTest {
  private static final String NAME = "café-😀.txt";

  private HttpServer server;
  private BrowserFilesystemApi files;

  @BeforeEach
  void start() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/browsers/s/fs/list_files",
        exchange -> answer(exchange, 200, "[{\"name\":\"" + NAME + "\",\"is_dir\":false}]"));
    server.createContext(
        "/browsers/s/fs/file_info",
        exchange ->
            answer(exchange, 404, "{\"code\":\"file_not_found\",\"message\":\"no " + NAME + "\"}"));
    server.start();
    URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    files = new BrowserFilesystemApi(ProcgateClient.create(base, "token"));
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private static void answer(HttpExchange exchange, int status, String json) throws IOException {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  @Test
  void theTestsRunWithADefaultCharsetThatIsNotUtf8() {
    assertThat(Charset.defaultCharset()).isNotEqualTo(StandardCharsets.UTF_8);
  }

  @Test
  void anAnswersTextIsDecodedAsUtf8() throws Exception {
    assertThat(files.fsListFiles("s", "/x").get(0).getName()).isEqualTo(NAME);
  }

  @Test
  void anErrorsBodyIsDecodedAsUtf8() {
    ApiException error =
        catchThrowableOfType(() -> files.fsFileInfo("s", "/x"), ApiException.class);

    assertThat(error.getCode()).isEqualTo(404);
    assertThat(error.getResponseBody()).contains("no " + NAME);
  }
}
