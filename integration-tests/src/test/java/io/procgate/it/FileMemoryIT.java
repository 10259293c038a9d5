package io.procgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.procgate.client.ApiClient;
import io.procgate.client.model.Browser;
import io.procgate.client.model.BrowserCreateRequest;
import io.procgate.client.stream.FileTransfers;
import io.procgate.testing.MemoryBound;
import io.procgate.testing.Processes;
import io.procgate.testing.ServerProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.HttpRequest.BodyPublishers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * A 1 GiB file through the server and back, within the memory formula of docs/operations.md for one
 * transfer.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(300)
class FileMemoryIT {
  private static final long GIB = 1024L * 1024 * 1024;
  private static final MemoryBound BOUND = new MemoryBound().transfers(1);

  private ServerProcess server;

  @BeforeAll
  void start() throws Exception {
    Map<String, String> settings = ServerProcess.testSettings();
    settings.put("procgate.browser.executable", "/nonexistent/chromium");
    server = ServerProcess.start(settings, List.of("-Xmx" + BOUND.heapMib() + "m"));
  }

  @AfterAll
  void stop() throws Exception {
    server.close();
  }

  @Test
  void aGibibyteGoesThereAndBackInBoundedMemory() throws Exception {
    ApiClient api = server.client();
    Browser created = server.browsers().createBrowser(new BrowserCreateRequest());
    String session = created.getSessionId();
    // The session's own directory: its account may enter no directory of root's.
    String file = Path.of(created.getWorkDir()).resolve("gibibyte.bin").toString();
    MessageDigest sent = MessageDigest.getInstance("SHA-256");

    FileTransfers.writeFile(
        api,
        session,
        file,
        BodyPublishers.ofInputStream(() -> new DigestInputStream(new RandomBytes(GIB), sent)),
        null);
    assertThat(Files.size(Path.of(file))).isEqualTo(GIB);

    MessageDigest received = MessageDigest.getInstance("SHA-256");
    long length;
    try (InputStream in =
        new DigestInputStream(FileTransfers.readFile(api, session, file), received)) {
      length = in.transferTo(OutputStream.nullOutputStream());
    }
    assertThat(length).isEqualTo(GIB);
    assertThat(received.digest()).isEqualTo(sent.digest());
    assertThat(Processes.peakRss(server.pid()))
        .as("peak RSS, bound " + BOUND.describe())
        .isLessThanOrEqualTo(BOUND.residentBytes());
    assertThat(server.log()).doesNotContain("OutOfMemoryError");
    Files.delete(Path.of(file));
  }

  /** {@code length} pseudo-random bytes, made as they are read. */
  private static final class RandomBytes extends InputStream {
    private final Random random = new Random(42);
    private final byte[] block = new byte[64 * 1024];
    private long left;
    private int at = block.length;

    RandomBytes(long length) {
      this.left = length;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] into, int offset, int length) {
      if (left == 0) {
        return -1;
      }
      if (at == block.length) {
        random.nextBytes(block);
        at = 0;
      }
      int n = (int) Math.min(Math.min(length, block.length - at), left);
      System.arraycopy(block, at, into, offset, n);
      at += n;
      left -= n;
      return n;
    }
  }
}
