package io.procgate.server.json;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.procgate.core.ExecResult;
import io.procgate.core.ExecutorSettings;
import io.procgate.core.LaunchRequest;
import io.procgate.core.ProcessExecutor;
import io.procgate.core.ProcessTable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Outputs of real processes, as the response writes them and as a String does. */
class EncodedExecResultTest {
  // Around the serializer's pieces of 12,288 bytes and the capture's blocks of 64 KiB.
  private static final int[] LENGTHS = {
    0, 1, 2, 3, 4, 12_287, 12_288, 12_289, 65_536, 65_537, 150_001
  };

  @TempDir static Path dir;
  private static ProcessExecutor executor;
  private static ProcessTable owner;
  private static byte[] random;
  private final ObjectMapper json = new ObjectMapper();

  @BeforeAll
  static void start() throws Exception {
    executor = new ProcessExecutor(ExecutorSettings.defaults());
    owner = executor.newTable();
    random = new byte[150_001];
    new Random(3).nextBytes(random);
    Files.write(dir.resolve("random"), random);
  }

  @AfterAll
  static void stop() throws Exception {
    executor.terminateAll(owner).get(30, TimeUnit.SECONDS);
    executor.close();
  }

  @Test
  void theResponsesBytesAndAStringCarryTheSameBase64OfEveryLength() throws Exception {
    for (int length : LENGTHS) {
      ExecResult result =
          executor
              .exec(
                  LaunchRequest.builder("sh", dir)
                      .args("-c", "head -c " + length + " random; head -c 2 random >&2")
                      .build(),
                  owner)
              .result()
              .get(30, TimeUnit.SECONDS);
      EncodedExecResult encoded = new EncodedExecResult(result.stdout(), result.stderr());

      byte[] bytes = json.writeValueAsBytes(encoded);
      String text = json.writeValueAsString(encoded);

      assertThat(new String(bytes, StandardCharsets.UTF_8)).as("%d bytes", length).isEqualTo(text);
      JsonNode tree = json.readTree(bytes);
      assertThat(Base64.getDecoder().decode(tree.get("stdout_b64").asText()))
          .as("%d bytes", length)
          .isEqualTo(Arrays.copyOf(random, length));
      assertThat(Base64.getDecoder().decode(tree.get("stderr_b64").asText()))
          .isEqualTo(Arrays.copyOf(random, 2));
    }
  }
}
