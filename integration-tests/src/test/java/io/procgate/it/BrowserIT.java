package io.procgate.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.procgate.client.api.BrowserProcessesApi;
import io.procgate.client.api.BrowsersApi;
import io.procgate.client.model.Browser;
import io.procgate.client.model.BrowserCreateRequest;
import io.procgate.client.model.BrowserViewport;
import io.procgate.client.model.ProcessExecRequest;
import io.procgate.client.model.ProcessExecResult;
import io.procgate.testing.CdpConnection;
import io.procgate.testing.Metrics;
import io.procgate.testing.ServerProcess;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Every session's Chromium, reached through the server's CDP endpoint, for real. */
@ExtendWith(SharedServer.class)
@Timeout(120)
class BrowserIT {
  private final ServerProcess server;
  private final BrowsersApi browsers;
  private final BrowserProcessesApi processes;

  BrowserIT(ServerProcess server) {
    this.server = server;
    this.browsers = server.browsers();
    this.processes = server.processes();
  }

  /**
   * Processes whose command line or environment names {@code dir}: a session's browser, its helpers
   * and its display, by their profile and their home.
   */
  static List<Long> processesUnder(String dir) throws Exception {
    long self = ProcessHandle.current().pid();
    try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
      return entries
          .filter(entry -> entry.getFileName().toString().chars().allMatch(Character::isDigit))
          .filter(
              entry ->
                  mentions(entry.resolve("cmdline"), dir)
                      || mentions(entry.resolve("environ"), dir))
          .map(entry -> Long.parseLong(entry.getFileName().toString()))
          .filter(pid -> pid != self)
          .toList();
    }
  }

  private static boolean mentions(Path file, String text) {
    try {
      return new String(Files.readAllBytes(file), StandardCharsets.UTF_8).contains(text);
    } catch (Exception gone) {
      return false;
    }
  }

  private String exec(Browser session, String command) throws Exception {
    ProcessExecResult result =
        processes.processExec(session.getSessionId(), new ProcessExecRequest().command(command));
    assertThat(result.getExitCode()).as(command).isZero();
    return new String(Base64.getDecoder().decode(result.getStdoutB64()), StandardCharsets.UTF_8);
  }

  @Test
  void aSessionsBrowserAnswersOverCdpThroughTheServer() throws Exception {
    Browser session = browsers.createBrowser(new BrowserCreateRequest());
    try (CdpConnection cdp = CdpConnection.open(session.getCdpWsUrl())) {
      assertThat(session.getCdpWsUrl())
          .startsWith(
              "ws://127.0.0.1:"
                  + server.baseUri().getPort()
                  + "/cdp/"
                  + session.getSessionId()
                  + "?jwt=");
      assertThat(session.getWebdriverWsUrl()).isEmpty();
      assertThat(session.getBrowserState()).isEqualTo(Browser.BrowserStateEnum.RUNNING);

      JsonNode version = cdp.call("Browser.getVersion", CdpConnection.params());

      assertThat(version.get("product").asText()).contains("Chrome/");
      assertThat(version.get("userAgent").asText()).contains("HeadlessChrome");
    } finally {
      browsers.deleteBrowser(session.getSessionId());
    }
  }

  @Test
  void aPageAProcessOfTheSessionWroteIsOpenedAndRead() throws Exception {
    Browser session = browsers.createBrowser(new BrowserCreateRequest());
    try (CdpConnection cdp = CdpConnection.open(session.getCdpWsUrl())) {
      exec(session, "printf '<title>Written by a process</title>' > page.html");
      String page = cdp.openPage("file://" + session.getWorkDir() + "/page.html");

      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () -> "Written by a process".equals(cdp.evaluate(page, "document.title").asText()));
    } finally {
      browsers.deleteBrowser(session.getSessionId());
    }
  }

  @Test
  void bigMessagesGoBothWays() throws Exception {
    Browser session = browsers.createBrowser(new BrowserCreateRequest());
    try (CdpConnection cdp = CdpConnection.open(session.getCdpWsUrl())) {
      String page = cdp.openPage("about:blank");
      // Chromium itself refuses messages to it over 32 MiB; from it, a full-page screenshot or a
      // page's content is as big as it comes.
      int toBrowser = 30 * 1024 * 1024;
      int fromBrowser = 100 * 1024 * 1024;

      JsonNode sent = cdp.evaluate(page, "'" + "a".repeat(toBrowser) + "'.length");
      JsonNode received = cdp.evaluate(page, "'b'.repeat(" + fromBrowser + ")");

      assertThat(sent.asInt()).isEqualTo(toBrowser);
      assertThat(received.asText()).hasSize(fromBrowser).matches("b+");
    } finally {
      browsers.deleteBrowser(session.getSessionId());
    }
  }

  @Test
  void twoClientsAtOnceShareTheBrowser() throws Exception {
    Browser session = browsers.createBrowser(new BrowserCreateRequest());
    try (CdpConnection first = CdpConnection.open(session.getCdpWsUrl());
        CdpConnection second =
            CdpConnection.open(browsers.getBrowser(session.getSessionId()).getCdpWsUrl())) {
      String target =
          first
              .call("Target.createTarget", CdpConnection.params().put("url", "about:blank#first"))
              .get("targetId")
              .asText();

      JsonNode targets = second.call("Target.getTargets", CdpConnection.params());

      assertThat(targets.get("targetInfos").findValuesAsText("targetId")).contains(target);
      assertThat(first.call("Browser.getVersion", CdpConnection.params()).has("product")).isTrue();
    } finally {
      browsers.deleteBrowser(session.getSessionId());
    }
  }

  /** Sends a WebSocket upgrade by hand and returns the answer's head, and its body if any. */
  private String upgrade(String pathAndQuery) throws Exception {
    try (Socket socket = new Socket("127.0.0.1", server.baseUri().getPort())) {
      socket.setSoTimeout(20_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          ("GET "
                  + pathAndQuery
                  + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                  + "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                  + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      StringBuilder head = new StringBuilder();
      while (!head.toString().endsWith("\r\n\r\n")) {
        int b = in.read();
        if (b < 0) {
          break;
        }
        head.append((char) b);
      }
      int length =
          head.toString()
              .lines()
              .filter(line -> line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:"))
              .map(line -> Integer.parseInt(line.substring(15).strip()))
              .findFirst()
              .orElse(0);
      return head + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }
  }

  @Test
  void everyWrongTokenIsA401BeforeAnyUpgrade() throws Exception {
    Browser session = browsers.createBrowser(new BrowserCreateRequest());
    Browser other = browsers.createBrowser(new BrowserCreateRequest());
    Browser gone = browsers.createBrowser(new BrowserCreateRequest());
    browsers.deleteBrowser(gone.getSessionId());
    try {
      String path = "/cdp/" + session.getSessionId();
      String token = query(session.getCdpWsUrl());
      String otherToken = query(other.getCdpWsUrl());
      for (String attempt :
          List.of(
              path,
              path + "?jwt=",
              path + "?jwt=not-a-token",
              path + "?jwt=" + token + "x",
              path + "?jwt=" + otherToken,
              "/cdp/" + other.getSessionId() + "?jwt=" + token,
              "/cdp/" + gone.getSessionId() + "?jwt=" + query(gone.getCdpWsUrl()),
              path + "?jwt=" + server.token(),
              path + "/json/version?jwt=" + otherToken)) {
        String answer = upgrade(attempt);
        assertThat(answer)
            .as(attempt)
            .startsWith("HTTP/1.1 401")
            .contains("\"code\":\"unauthorized\"");
      }
      assertThat(upgrade(path + "?jwt=" + token)).startsWith("HTTP/1.1 101");
      assertThatThrownBy(() -> CdpConnection.open(other.getCdpWsUrl().replace(otherToken, token)))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOfSatisfying(
              WebSocketHandshakeException.class,
              e -> assertThat(e.getResponse().statusCode()).isEqualTo(401));
    } finally {
      browsers.deleteBrowser(session.getSessionId());
      browsers.deleteBrowser(other.getSessionId());
    }
  }

  private static String query(String cdpUrl) {
    return cdpUrl.substring(cdpUrl.indexOf("?jwt=") + 5);
  }

  @Test
  void jsonVersionAndListPointAtThisServer() throws Exception {
    Browser session = browsers.createBrowser(new BrowserCreateRequest());
    try {
      String base = session.getCdpWsUrl().replace("ws://", "http://");
      String prefix = base.substring(0, base.indexOf('?'));
      String jwt = base.substring(base.indexOf('?'));
      HttpClient http = HttpClient.newHttpClient();
      for (String path :
          List.of("/json/version", "/json/version/", "/json/list", "/json/list/", "/json")) {
        HttpResponse<String> answer =
            http.send(
                HttpRequest.newBuilder(URI.create(prefix + path + jwt)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(path).isEqualTo(200);
        JsonNode json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(answer.body());
        List<String> urls = json.findValuesAsText("webSocketDebuggerUrl");
        assertThat(urls).as(path).isNotEmpty();
        assertThat(urls)
            .allMatch(
                url -> url.startsWith(prefix.replace("http://", "ws://")) && url.contains("?jwt="));
        assertThat(answer.body()).doesNotContain("devtoolsFrontendUrl");
      }
      try (CdpConnection page =
          CdpConnection.open(
              new com.fasterxml.jackson.databind.ObjectMapper()
                  .readTree(
                      http.send(
                              HttpRequest.newBuilder(URI.create(prefix + "/json/list" + jwt))
                                  .build(),
                              HttpResponse.BodyHandlers.ofString())
                          .body())
                  .findValuesAsText("webSocketDebuggerUrl")
                  .get(0))) {
        assertThat(
                page.call("Runtime.evaluate", CdpConnection.params().put("expression", "1+1"))
                    .path("result")
                    .path("value")
                    .asInt())
            .isEqualTo(2);
      }
    } finally {
      browsers.deleteBrowser(session.getSessionId());
    }
  }

  @Test
  void deletingTheSessionClosesItsConnectionsAndLeavesNothingBehind() throws Exception {
    Set<String> tmpBefore = tmpEntries();
    Browser session = browsers.createBrowser(new BrowserCreateRequest().headless(false));
    CdpConnection cdp = CdpConnection.open(session.getCdpWsUrl());
    List<Long> browserProcesses = processesUnder(session.getWorkDir());
    assertThat(browserProcesses).hasSizeGreaterThan(2);

    browsers.deleteBrowser(session.getSessionId());

    assertThat(cdp.closed().get(10, TimeUnit.SECONDS)).isNotNull();
    for (long pid : browserProcesses) {
      assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
          .as("pid " + pid)
          .isFalse();
    }
    assertThat(Path.of(session.getWorkDir())).doesNotExist();
    assertThat(tmpEntries()).isSubsetOf(tmpBefore);
  }

  private static Set<String> tmpEntries() throws Exception {
    try (Stream<Path> entries = Files.list(Path.of("/tmp"))) {
      return entries
          .map(entry -> entry.getFileName().toString())
          .filter(name -> name.startsWith("org.chromium") || name.startsWith(".X"))
          .collect(Collectors.toSet());
    }
  }

  @Test
  void aBrowserKilledFromOutsideIsRestartedAndTheNextConnectionWorks() throws Exception {
    Browser session = browsers.createBrowser(new BrowserCreateRequest());
    try {
      Metrics counted = Metrics.scrape(server);
      CdpConnection before = CdpConnection.open(session.getCdpWsUrl());
      double open = counted.value("procgate_cdp_connections") + 1;
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> Metrics.scrape(server).value("procgate_cdp_connections") == open);
      ProcessHandle chromium =
          processesUnder(session.getWorkDir()).stream()
              .map(pid -> ProcessHandle.of(pid).orElseThrow())
              .filter(
                  p ->
                      p.info().arguments().stream()
                          .flatMap(Stream::of)
                          .noneMatch(arg -> arg.startsWith("--type=")))
              .filter(p -> p.info().command().orElse("").endsWith("chromium"))
              .findFirst()
              .orElseThrow();

      chromium.destroyForcibly();

      assertThat(before.closed().get(20, TimeUnit.SECONDS)).isNotNull();
      // Running alone could still be the killed browser, before the server saw it exit; the
      // restart is counted just before the new one is marked running.
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  Metrics.scrape(server).value("procgate_browser_restarts_total")
                          == counted.value("procgate_browser_restarts_total") + 1
                      && browsers.getBrowser(session.getSessionId()).getBrowserState()
                          == Browser.BrowserStateEnum.RUNNING
                      && !chromium.isAlive());
      try (CdpConnection after =
          CdpConnection.open(browsers.getBrowser(session.getSessionId()).getCdpWsUrl())) {
        assertThat(after.call("Browser.getVersion", CdpConnection.params()).has("product"))
            .isTrue();
      }
      assertThat(Metrics.scrape(server).value("procgate_browser_restarts_total"))
          .isEqualTo(counted.value("procgate_browser_restarts_total") + 1);
    } finally {
      browsers.deleteBrowser(session.getSessionId());
    }
  }

  @Test
  void aHeadfulBrowserDrawsOnAPrivateDisplayItsProcessesShare() throws Exception {
    Browser session =
        browsers.createBrowser(
            new BrowserCreateRequest()
                .headless(false)
                .viewport(new BrowserViewport().width(1280).height(720)));
    try (CdpConnection cdp = CdpConnection.open(session.getCdpWsUrl())) {
      String display = exec(session, "echo $DISPLAY").strip();
      assertThat(display).matches(":\\d+");
      assertThat(session.getHeadless()).isFalse();
      String page = cdp.openPage("about:blank");

      assertThat(cdp.evaluate(page, "navigator.userAgent").asText()).doesNotContain("Headless");
      assertThat(cdp.evaluate(page, "screen.width").asInt()).isEqualTo(1280);
      // The display is a real X server's, owned by this session.
      assertThat(
              processesUnder(session.getWorkDir()).stream()
                  .map(pid -> ProcessHandle.of(pid).flatMap(p -> p.info().command()).orElse(""))
                  .anyMatch(command -> command.endsWith("Xvfb")))
          .isTrue();
    } finally {
      browsers.deleteBrowser(session.getSessionId());
    }
  }

  @Test
  void stealthHidesTheMarksOfAutomation() throws Exception {
    Browser plain = browsers.createBrowser(new BrowserCreateRequest());
    Browser stealthy = browsers.createBrowser(new BrowserCreateRequest().stealth(true));
    try (CdpConnection plainCdp = CdpConnection.open(plain.getCdpWsUrl());
        CdpConnection stealthCdp = CdpConnection.open(stealthy.getCdpWsUrl())) {
      String plainPage = plainCdp.openPage("about:blank");
      String stealthPage = stealthCdp.openPage("about:blank");

      assertThat(plainCdp.evaluate(plainPage, "navigator.webdriver").asBoolean()).isTrue();
      assertThat(plainCdp.evaluate(plainPage, "navigator.userAgent").asText())
          .contains("HeadlessChrome");
      assertThat(stealthy.getStealth()).isTrue();
      assertThat(stealthCdp.evaluate(stealthPage, "navigator.webdriver").asBoolean()).isFalse();
      assertThat(stealthCdp.evaluate(stealthPage, "navigator.userAgent").asText())
          .doesNotContain("Headless")
          .contains("Chrome/");
    } finally {
      browsers.deleteBrowser(plain.getSessionId());
      browsers.deleteBrowser(stealthy.getSessionId());
    }
  }

  @Test
  void theStartUrlOpensInTheFirstTabAndADownloadLandsInTheSession() throws Exception {
    Browser session =
        browsers.createBrowser(
            new BrowserCreateRequest()
                .startUrl(
                    "data:text/html,<title>first</title><a id=d href='data:text/plain,saved' download=saved.txt>d</a><script>document.getElementById('d').click()</script>"));
    try (CdpConnection cdp = CdpConnection.open(session.getCdpWsUrl())) {
      // The create answers once the browser does; its first page may still be loading.
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () ->
                  cdp.call("Target.getTargets", CdpConnection.params())
                      .get("targetInfos")
                      .findValuesAsText("title")
                      .contains("first"));
      assertThat(session.getDownloadsDir()).isEqualTo(session.getWorkDir() + "/downloads");
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> Files.exists(Path.of(session.getDownloadsDir(), "saved.txt")));
      assertThat(exec(session, "cat downloads/saved.txt")).isEqualTo("saved");
    } finally {
      browsers.deleteBrowser(session.getSessionId());
    }
  }

  @Test
  void aStartUrlThatIsNoUrlIsRefusedAndCreatesNothing() throws Exception {
    long before = Files.list(server.sessionsRoot()).count();

    assertThatThrownBy(
            () -> browsers.createBrowser(new BrowserCreateRequest().startUrl("--no-sandbox")))
        .isInstanceOfSatisfying(
            io.procgate.client.ApiException.class,
            e -> {
              assertThat(e.getCode()).isEqualTo(400);
              assertThat(e.getResponseBody()).contains("start_url");
            });
    assertThat(Files.list(server.sessionsRoot()).count()).isEqualTo(before);
  }
}
