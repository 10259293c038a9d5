package io.procgate.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.procgate.client.model.Browser;
import io.procgate.client.model.BrowserCreateRequest;
import io.procgate.client.model.ProcessExecRequest;
import io.procgate.client.model.ProcessExecResult;
import io.procgate.testing.ServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The server on the newest Java the machine has, where that is not the one the build uses: it is
 * built for 17 and must run unchanged on later ones. Skipped where no such Java is installed.
 */
@Timeout(120)
class NewerJavaIT {
  private static final Path JAVA =
      Path.of(
          System.getProperty(
              "procgate.it.newer-java", "/usr/lib/jvm/temurin-25-jdk-amd64/bin/java"));

  @Test
  void createsSessionsWithTheirBrowsersAndRunsCommands() throws Exception {
    assumeTrue(Files.isExecutable(JAVA), "no newer Java at " + JAVA);
    try (ServerProcess server =
        ServerProcess.start(JAVA, ServerProcess.testSettings(), List.of())) {
      // Creating a session runs callbacks on the browser probe's threads: they must see the
      // application's classes.
      Browser session = server.browsers().createBrowser(new BrowserCreateRequest());
      assertThat(session.getCdpWsUrl()).startsWith("ws://");
      ProcessExecResult result =
          server
              .processes()
              .processExec(
                  session.getSessionId(),
                  new ProcessExecRequest().command("/bin/echo").args(List.of("hello")));
      assertThat(result.getStdoutB64()).isEqualTo("aGVsbG8K");
      assertThat(server.log()).doesNotContain("ERROR");
    }
  }
}
