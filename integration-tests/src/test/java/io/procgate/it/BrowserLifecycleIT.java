package io.procgate.it;

import static io.procgate.it.BrowserIT.processesUnder;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.procgate.client.ApiException;
import io.procgate.client.model.Browser;
import io.procgate.client.model.BrowserCreateRequest;
import io.procgate.testing.CdpConnection;
import io.procgate.testing.ServerProcess;
import java.io.IOException;
import java.net.http.WebSocketHandshakeException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Browsers on servers of their own: settings, failures, users, the end of the server. */
@Timeout(180)
class BrowserLifecycleIT {

  @Test
  void sigtermToTheServerEndsEveryBrowserAndExpiredTokensAreRefused() throws Exception {
    Map<String, String> settings = ServerProcess.testSettings();
    settings.put("procgate.browser.cdp-token-ttl", "3s");
    ServerProcess server = ServerProcess.start(settings);
    List<Long> browserProcesses = new ArrayList<>();
    try {
      Browser headless = server.browsers().createBrowser(new BrowserCreateRequest());
      Browser headful = server.browsers().createBrowser(new BrowserCreateRequest().headless(false));
      // A token read just now: the creates may take longer than its life on a busy machine.
      String cdpUrl = server.browsers().getBrowser(headless.getSessionId()).getCdpWsUrl();
      try (CdpConnection cdp = CdpConnection.open(cdpUrl)) {
        assertThat(cdp.call("Browser.getVersion", CdpConnection.params()).has("product")).isTrue();
      }
      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(
              () ->
                  assertThatThrownBy(() -> CdpConnection.open(cdpUrl))
                      .isInstanceOf(ExecutionException.class)
                      .cause()
                      .isInstanceOfSatisfying(
                          WebSocketHandshakeException.class,
                          e -> assertThat(e.getResponse().statusCode()).isEqualTo(401)));
      browserProcesses.addAll(processesUnder(headless.getWorkDir()));
      browserProcesses.addAll(processesUnder(headful.getWorkDir()));
      assertThat(browserProcesses).hasSizeGreaterThan(4);
    } finally {
      server.close();
    }

    // The JVM's status after a SIGTERM it handled: 128 + 15.
    assertThat(server.process().exitValue()).isIn(0, 143);
    for (long pid : browserProcesses) {
      assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
          .as("pid " + pid)
          .isFalse();
    }
  }

  @Test
  void withoutChromiumSessionsHaveNoBrowserAndTheLogSaysSoOnce() throws Exception {
    Map<String, String> settings = ServerProcess.testSettings();
    settings.put("procgate.browser.executable", "/nonexistent/chromium");
    try (ServerProcess server = ServerProcess.start(settings)) {
      Browser session = server.browsers().createBrowser(new BrowserCreateRequest());

      assertThat(session.getCdpWsUrl()).isEmpty();
      assertThat(session.getBrowserState()).isEqualTo(Browser.BrowserStateEnum.NONE);
      assertThat(session.getDownloadsDir()).isNull();
      assertThat(server.log().split("no browser at /nonexistent/chromium", -1)).hasSize(2);
      server.browsers().deleteBrowser(session.getSessionId());
    }
  }

  @Test
  void aRequiredBrowserThatIsMissingStopsTheStart() throws Exception {
    Map<String, String> settings = ServerProcess.testSettings();
    settings.put("procgate.browser.executable", "/nonexistent/chromium");
    settings.put("procgate.browser.required", "true");

    assertThatThrownBy(() -> ServerProcess.start(settings).close())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("the server exited at start")
        .hasMessageContaining("procgate.browser.required is set, but there is no browser");
  }

  @Test
  void aBrowserThatDoesNotAnswerInTimeFailsTheCreateAndLeavesNothing() throws Exception {
    Path fake = Files.createTempFile("pg-fake-chromium", ".sh");
    // A marker no other process has: what is left of the fake shows by it.
    String marker = "600." + System.nanoTime();
    Files.writeString(fake, "#!/bin/sh\necho 'not a browser' >&2\nexec sleep " + marker + "\n");
    // The session's own account runs it: not root's alone, as a temporary file is.
    Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));
    Map<String, String> settings = ServerProcess.testSettings();
    settings.put("procgate.browser.executable", fake.toString());
    settings.put("procgate.browser.start-timeout", "2s");
    try (ServerProcess server = ServerProcess.start(settings)) {
      assertThatThrownBy(() -> server.browsers().createBrowser(new BrowserCreateRequest()))
          .isInstanceOfSatisfying(
              ApiException.class,
              e -> {
                assertThat(e.getCode()).isEqualTo(503);
                assertThat(e.getResponseBody())
                    .contains("\"code\":\"browser_start_failed\"")
                    .contains("within 2 s")
                    .contains("not a browser");
              });

      try (Stream<Path> left = Files.list(server.sessionsRoot())) {
        assertThat(left).isEmpty();
      }
      assertThat(processesUnder(marker)).isEmpty();
      assertThat(server.browsers().listBrowsers(0, 20)).isEmpty();
    } finally {
      Files.delete(fake);
    }
  }

  @Test
  void anUnprivilegedDefaultUserRunsTheBrowserInChromiumsOwnSandbox() throws Exception {
    TestAccount.require();
    Map<String, String> settings = ServerProcess.testSettings();
    settings.put("procgate.exec.default-user", TestAccount.NAME);
    try (ServerProcess server = ServerProcess.start(settings)) {
      Browser session = server.browsers().createBrowser(new BrowserCreateRequest());
      try (CdpConnection cdp = CdpConnection.open(session.getCdpWsUrl())) {
        assertThat(cdp.call("Browser.getVersion", CdpConnection.params()).has("product")).isTrue();
      }
      // The browser's own, not the server's socat bridge into the session's network, root's.
      List<Long> browser =
          processesUnder(session.getWorkDir()).stream()
              .filter(pid -> !commandOf(pid).startsWith("socat"))
              .toList();
      assertThat(browser).isNotEmpty();
      for (long pid : browser) {
        String status;
        try {
          status = Files.readString(Path.of("/proc/" + pid + "/status"));
        } catch (NoSuchFileException gone) {
          // A helper Chromium ended since it was listed.
          continue;
        }
        String uid =
            status.lines().filter(line -> line.startsWith("Uid:")).findFirst().orElseThrow();
        assertThat(uid.split("\\s+")[1]).as("pid " + pid).isEqualTo(TestAccount.uid());
        assertThat(commandOf(pid)).doesNotContain("--no-sandbox");
      }
      assertThat(server.log()).contains("in Chromium's own sandbox");
      server.browsers().deleteBrowser(session.getSessionId());
    }
  }

  @Test
  void anOpenCdpConnectionKeepsItsSessionWhateverItsTrafficTheTimeoutStartsWhenItCloses()
      throws Exception {
    Map<String, String> settings = ServerProcess.testSettings();
    try (ServerProcess server = ServerProcess.start(settings)) {
      Browser connected =
          server.browsers().createBrowser(new BrowserCreateRequest().timeoutSeconds(10));
      Browser idle = server.browsers().createBrowser(new BrowserCreateRequest().timeoutSeconds(10));
      CdpConnection cdp = CdpConnection.open(connected.getCdpWsUrl());

      // Watch directories: asking the API about a session is not activity, but stay out of it.
      await()
          .atMost(Duration.ofSeconds(40))
          .pollInterval(Duration.ofMillis(500))
          .until(() -> !Files.exists(Path.of(idle.getWorkDir())));
      assertThat(Path.of(connected.getWorkDir())).exists();
      assertThat(cdp.call("Browser.getVersion", CdpConnection.params()).has("product")).isTrue();

      cdp.close();

      await()
          .atMost(Duration.ofSeconds(40))
          .pollInterval(Duration.ofMillis(500))
          .until(() -> !Files.exists(Path.of(connected.getWorkDir())));
    }
  }

  private static String commandOf(long pid) {
    try {
      return Files.readString(Path.of("/proc/" + pid + "/cmdline"));
    } catch (IOException gone) {
      return "";
    }
  }
}
