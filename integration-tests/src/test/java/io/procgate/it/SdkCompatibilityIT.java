package io.procgate.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.procgate.testing.ServerProcess;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Kernel's official TypeScript SDK, pointed at the server with {@code KERNEL_BASE_URL} and {@code
 * KERNEL_API_KEY}, works as it does against Kernel, and Playwright ({@code playwright-core}, which
 * downloads no browser) drives the session's browser over its {@code cdp_ws_url}. Needs Node.js and
 * npm; the versions pinned in {@code src/test/sdk} are installed there on first run.
 */
@ExtendWith(SharedServer.class)
@Timeout(120)
class SdkCompatibilityIT {
  private final ServerProcess server;

  SdkCompatibilityIT(ServerProcess server) {
    this.server = server;
  }

  static void installSdk(Path sdk) throws Exception {
    if (Files.isDirectory(sdk.resolve("node_modules/@onkernel/sdk"))
        && Files.isDirectory(sdk.resolve("node_modules/playwright-core"))) {
      return;
    }
    Process npm;
    try {
      npm =
          new ProcessBuilder(List.of("npm", "ci", "--no-audit", "--no-fund"))
              .directory(sdk.toFile())
              .redirectErrorStream(true)
              .start();
    } catch (java.io.IOException noNpm) {
      assumeTrue(false, "Node.js and npm are needed to test against Kernel's official SDK");
      return;
    }
    String output = new String(npm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(npm.waitFor(300, TimeUnit.SECONDS)).as("npm ci finished").isTrue();
    assertThat(npm.exitValue()).as(output).isZero();
  }

  @Test
  @Timeout(420)
  void theOfficialSdkCreatesListsExecutesMovesFilesAndDeletes() throws Exception {
    assertSawWhatKernelShows(runSdkCheck(server.baseUri(), server.token(), Map.of()));
  }

  /**
   * Runs {@code sdk-check.mjs} against the server at {@code baseUri} with {@code environment} added
   * to the SDK's, and returns what it saw.
   */
  static JsonNode runSdkCheck(URI baseUri, String token, Map<String, String> environment)
      throws Exception {
    return runSdkScript("sdk-check.mjs", baseUri, token, environment);
  }

  /**
   * Runs the script {@code script} of the SDK's directory against the server at {@code baseUri},
   * and returns what it printed last, as JSON.
   */
  static JsonNode runSdkScript(
      String script, URI baseUri, String token, Map<String, String> environment) throws Exception {
    Path sdk = Path.of(System.getProperty("procgate.sdk.dir"));
    installSdk(sdk);
    ProcessBuilder builder = new ProcessBuilder(List.of("node", script)).directory(sdk.toFile());
    builder.environment().put("KERNEL_BASE_URL", baseUri.toString());
    builder.environment().put("KERNEL_API_KEY", token);
    builder.environment().putAll(environment);
    builder.redirectErrorStream(true);
    Process node = builder.start();
    String output = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(node.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(node.exitValue()).as(output).isZero();
    return new ObjectMapper().readTree(output.lines().reduce((a, b) -> b).orElseThrow());
  }

  /** What the check saw is what it sees against Kernel. */
  static void assertSawWhatKernelShows(JsonNode seen) {
    assertThat(seen.at("/created/id").asText()).matches("[a-z0-9]{24}");
    assertThat(seen.at("/created/name").asText()).isEqualTo("sdk-check");
    assertThat(seen.at("/created/headless").asBoolean()).isTrue();
    assertThat(seen.at("/created/cdp").asText()).startsWith("ws://").contains("?jwt=");
    assertThat(seen.at("/playwright/title").asText()).isEqualTo("Driven by Playwright");
    assertThat(seen.at("/playwright/version").asText()).matches("\\d+\\..*");
    assertThat(seen.at("/afterPlaywright").asText())
        .as("closing Playwright's connection leaves the session")
        .isEqualTo("running");
    assertThat(seen.at("/retrievedByName").asBoolean()).isTrue();
    assertThat(seen.at("/listedBoth").asBoolean()).isTrue();
    assertThat(seen.at("/exec/exit").asInt()).isZero();
    assertThat(seen.at("/exec/stdout").asText()).isEqualTo("Linux\n");
    assertThat(seen.at("/shell/exit").asInt()).isEqualTo(7);
    assertThat(seen.at("/shell/stdout").asText()).isEqualTo("from the sdk\n");
    assertThat(seen.at("/fs/read").asText()).isEqualTo("written by the sdk");
    assertThat(seen.at("/fs/info/name").asText()).isEqualTo("a.txt");
    assertThat(seen.at("/fs/info/mode").asText()).isEqualTo("-rw-r-----");
    assertThat(seen.at("/fs/info/size_bytes").asInt()).isEqualTo(18);
    assertThat(seen.at("/fs/info/is_dir").asBoolean()).isFalse();
    assertThat(seen.at("/fs/info/mod_time").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
    assertThat(seen.at("/fs/list").toString())
        .isEqualTo(
            "[\"a.txt -rw-r----- false 18\",\"sub drwxr-x--- true 0\","
                + "\"two.txt -rw------- false 3\",\"up drwxr-xr-x true 0\"]");
    assertThat(seen.at("/fs/zipMagic").asText()).isEqualTo("PK");
    assertThat(seen.at("/fs/unzipped").toString()).isEqualTo("[\"one.txt\"]");
    assertThat(seen.at("/fs/watched/type").asText()).isEqualTo("CREATE");
    assertThat(seen.at("/fs/watched/path").asText()).endsWith("/sub/from-exec.txt");
    assertThat(seen.at("/fs/watched/is_dir").asBoolean()).isFalse();
    assertThat(seen.at("/fs/missing/status").asInt()).isEqualTo(404);
    assertThat(seen.at("/fs/missing/code").asText()).isEqualTo("file_not_found");
    assertThat(seen.at("/fs/afterDelete").asInt()).isEqualTo(1);
    assertThat(seen.at("/badCommand/status").asInt()).isEqualTo(400);
    assertThat(seen.at("/badCommand/code").asText()).isEqualTo("command_not_found");
    assertThat(seen.at("/badCommand/retry").asText()).isEqualTo("false");
    assertThat(seen.at("/afterDelete/status").asInt()).isEqualTo(404);
    assertThat(seen.at("/afterDelete/name").asText()).isEqualTo("NotFoundError");
    assertThat(seen.at("/wrongKey/status").asInt()).isEqualTo(401);
    assertThat(seen.at("/wrongKey/name").asText()).isEqualTo("AuthenticationError");
  }
}
