package io.procgate.it;

import static io.procgate.testing.Refusals.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;

import io.procgate.client.ApiClient;
import io.procgate.client.api.BrowserFilesystemApi;
import io.procgate.client.model.BrowserCreateRequest;
import io.procgate.client.model.FsWatchRequest;
import io.procgate.client.stream.FileTransfers;
import io.procgate.testing.ServerProcess;
import io.procgate.testing.SessionAccount;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest.BodyPublishers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The files API's limits, on a server whose limits are small enough to reach. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class FileLimitsIT {
  private static final int UPLOAD_LIMIT = 1024 * 1024;

  private ServerProcess server;
  private ApiClient api;
  private BrowserFilesystemApi files;
  private String session;
  @TempDir Path base;
  private Path dir;

  @BeforeAll
  void start() throws Exception {
    Map<String, String> settings = ServerProcess.testSettings();
    settings.put("procgate.browser.executable", "/nonexistent/chromium");
    settings.put("procgate.files.max-upload-size", Integer.toString(UPLOAD_LIMIT));
    settings.put("procgate.files.zip-max-entries", "20");
    settings.put("procgate.files.zip-max-size", "64K");
    settings.put("procgate.files.max-watches", "2");
    server = ServerProcess.start(settings);
    api = server.client();
    files = new BrowserFilesystemApi(api);
  }

  @AfterAll
  void stop() throws Exception {
    server.close();
  }

  @BeforeEach
  void createSession() throws Exception {
    session = server.browsers().createBrowser(new BrowserCreateRequest()).getSessionId();
    dir = SessionAccount.of(server, session).directoryIn(base, "files");
  }

  private boolean empty(Path directory) throws Exception {
    try (Stream<Path> entries = Files.list(directory)) {
      return entries.findAny().isEmpty();
    }
  }

  @Test
  void anUploadSaidToBeTooLargeIsRefusedBeforeItsBodyIsSent() throws Exception {
    // Headers only, and a promise of 2 GiB: the answer comes without a byte of the body.
    String answer =
        answerToHeaders(
            "/fs/write_file?path=" + dir.resolve("big"),
            "application/octet-stream",
            2L * 1024 * 1024 * 1024);
    assertThat(answer).startsWith("HTTP/1.1 413").contains("\"code\":\"upload_too_large\"");
    assertRefused(
        () ->
            FileTransfers.writeFile(
                api,
                session,
                dir.resolve("big").toString(),
                BodyPublishers.ofByteArray(new byte[UPLOAD_LIMIT + 1]),
                null),
        413,
        "upload_too_large");
    assertThat(empty(dir)).isTrue();
    // The limit is the upload limit, not the JSON one (1 MiB is more than JSON bodies may have).
    FileTransfers.writeFile(
        api,
        session,
        dir.resolve("fits").toString(),
        BodyPublishers.ofByteArray(new byte[UPLOAD_LIMIT]),
        null);
    assertThat(Files.size(dir.resolve("fits"))).isEqualTo(UPLOAD_LIMIT);
  }

  @Test
  void aChunkedUploadPastTheLimitIsCutOffAndLeavesNothing() throws Exception {
    byte[] tooMuch = new byte[3 * UPLOAD_LIMIT];
    assertRefused(
        () ->
            FileTransfers.writeFile(
                api,
                session,
                dir.resolve("sub/big").toString(),
                BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(tooMuch)),
                null),
        413,
        "upload_too_large");
    assertThat(empty(dir)).as("no file, no directory made for it").isTrue();
  }

  @Test
  void archivesPastTheEntryOrSizeCapAreRefusedWithNothingExtracted() throws Exception {
    ByteArrayOutputStream many = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(many)) {
      for (int i = 0; i < 21; i++) {
        zip.putNextEntry(new ZipEntry("f" + i));
        zip.closeEntry();
      }
    }
    // 1 MiB of zeros compresses to a few KiB: a small upload that would extract large.
    ByteArrayOutputStream large = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(large)) {
      zip.putNextEntry(new ZipEntry("zeros"));
      zip.write(new byte[1024 * 1024]);
      zip.closeEntry();
    }
    assertThat(large.size()).isLessThan(UPLOAD_LIMIT / 10);
    for (byte[] archive : new byte[][] {many.toByteArray(), large.toByteArray()}) {
      assertRefused(
          () ->
              FileTransfers.uploadZip(
                  api, session, dir.resolve("out").toString(), BodyPublishers.ofByteArray(archive)),
          400,
          "invalid_archive");
    }
    assertThat(empty(dir)).isTrue();
  }

  @Test
  void aSessionHoldsAtMostItsLimitOfWatches() throws Exception {
    FsWatchRequest request = new FsWatchRequest().path(dir.toString());
    String first = files.fsWatchStart(session, request).getWatchId();
    files.fsWatchStart(session, request);
    assertRefused(() -> files.fsWatchStart(session, request), 429, "too_many_watches");
    files.fsWatchStop(session, first);
    files.fsWatchStart(session, request);
    // Another session has its own.
    String other = server.browsers().createBrowser(new BrowserCreateRequest()).getSessionId();
    files.fsWatchStart(other, request);
  }

  @Test
  void aJsonBodyStillHasTheJsonLimit() throws Exception {
    assertThat(answerToHeaders("/fs/create_directory", "application/json", 2 * UPLOAD_LIMIT))
        .startsWith("HTTP/1.1 413")
        .contains("\"code\":\"payload_too_large\"");
  }

  /**
   * The whole answer to a PUT of the session's {@code route} whose headers promise {@code length}
   * bytes and none of which is sent. It must end the connection: a server that waits for the
   * refused body fails here.
   */
  private String answerToHeaders(String route, String contentType, long length) throws Exception {
    try (Socket socket = new Socket(server.baseUri().getHost(), server.baseUri().getPort())) {
      socket.setSoTimeout(30_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          ("PUT /browsers/"
                  + session
                  + route
                  + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                  + server.token()
                  + "\r\nContent-Type: "
                  + contentType
                  + "\r\nContent-Length: "
                  + length
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
