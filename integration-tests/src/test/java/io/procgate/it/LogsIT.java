package io.procgate.it;

import static io.procgate.testing.Refusals.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.procgate.client.api.BrowsersApi;
import io.procgate.client.model.Browser;
import io.procgate.client.model.BrowserCreateRequest;
import io.procgate.client.model.LogEvent;
import io.procgate.client.model.ProcessExecRequest;
import io.procgate.client.stream.LogEvents;
import io.procgate.testing.ServerProcess;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Log streams: through Kernel's SDK (the browser's output, a file followed while a process writes
 * it), and through the client's reader with the session's end and bad input.
 */
@ExtendWith(SharedServer.class)
@Timeout(120)
class LogsIT {
  private final ServerProcess server;
  private final BrowsersApi browsers;

  LogsIT(ServerProcess server) {
    this.server = server;
    this.browsers = new BrowsersApi(server.client());
  }

  @Test
  void kernelsSdkStreamsTheBrowsersOutputAndAFileAsItGrows() throws Exception {
    JsonNode seen =
        SdkCompatibilityIT.runSdkScript(
            "logs-check.mjs", server.baseUri(), server.token(), Map.of());

    assertThat(seen.at("/chromium").toString()).contains("DevTools listening on ws://127.0.0.1:");
    assertThat(seen.at("/chromium/0/event").asText()).isEqualTo("log");
    assertThat(seen.at("/chromium/0/timestamp").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
    // Followed from its end: the line written before is not sent, the unfinished one not yet.
    assertThat(seen.at("/followed/0/message").asText()).isEqualTo("first");
    assertThat(seen.at("/followed/1/message").asText()).isEqualTo("second");
    assertThat(seen.at("/whole").toString())
        .isEqualTo("[\"before\",\"first\",\"second\",\"third\"]");
    assertThat(seen.at("/missing/status").asInt()).isEqualTo(404);
    assertThat(seen.at("/missing/code").asText()).isEqualTo("file_not_found");
    assertThat(seen.at("/noPath/code").asText()).isEqualTo("validation_failed");
    assertThat(seen.at("/xvfbHeadless/status").asInt()).isEqualTo(400);
    assertThat(seen.at("/xvfbHeadless/message").asText()).contains("chromium");
  }

  @Test
  void aFollowedLogEndsWithItsSessionAndWhatIsNoLogIsRefused() throws Exception {
    Browser session = browsers.createBrowser(new BrowserCreateRequest());
    String id = session.getSessionId();
    String log = session.getWorkDir() + "/followed.log";
    exec(id, "touch " + log);
    try (LogEvents events = LogEvents.ofFile(server.client(), id, log, true)) {
      exec(id, "echo one >> " + log);
      assertThat(events.next()).map(LogEvent::getMessage).hasValue("one");

      browsers.deleteBrowser(id);
      assertThat(CompletableFuture.supplyAsync(events::next).get(30, TimeUnit.SECONDS))
          .as("the stream ended with the session")
          .isEmpty();
    }

    Browser other = browsers.createBrowser(new BrowserCreateRequest());
    try {
      assertRefused(
          () -> LogEvents.ofFile(server.client(), other.getSessionId(), other.getWorkDir(), true),
          409,
          "is_a_directory");
      assertRefused(
          () -> LogEvents.ofFile(server.client(), other.getSessionId(), "relative.log", false),
          400,
          "invalid_path");
      assertRefused(
          () -> LogEvents.ofProgram(server.client(), other.getSessionId(), "sshd", true),
          400,
          "validation_failed");
    } finally {
      browsers.deleteBrowser(other.getSessionId());
    }
  }

  private void exec(String id, String script) throws Exception {
    assertThat(
            server
                .processes()
                .processExec(id, new ProcessExecRequest().command("sh").args(List.of("-c", script)))
                .getExitCode())
        .isZero();
  }
}
