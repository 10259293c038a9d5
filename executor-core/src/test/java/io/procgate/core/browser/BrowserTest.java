package io.procgate.core.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.procgate.core.ExecutorSettings;
import io.procgate.core.ProcessException;
import io.procgate.core.ProcessExecutor;
import io.procgate.core.ProcessTable;
import io.procgate.core.display.ReplayLimits;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A real Chromium per test, as sessions run it. */
@Timeout(60)
class BrowserTest {
  private static final Path CHROMIUM = Path.of("/usr/lib/chromium/chromium");

  @TempDir Path dir;
  private ProcessExecutor executor;
  private ProcessTable owner;
  private Browsers browsers;

  private static BrowserSettings settings(Path executable, Duration readyTimeout) {
    return new BrowserSettings(
        executable,
        List.of(),
        readyTimeout,
        3,
        Duration.ofMinutes(1),
        Duration.ofMillis(100),
        Path.of("/usr/bin/Xvfb"),
        new ReplayLimits(1 << 20, Duration.ofMinutes(1), 2));
  }

  @BeforeEach
  void start() {
    executor =
        new ProcessExecutor(ExecutorSettings.builder().killGrace(Duration.ofSeconds(1)).build());
    owner = executor.newTable();
    browsers = new Browsers(executor, settings(CHROMIUM, Duration.ofSeconds(30)));
  }

  @AfterEach
  void stop() throws Exception {
    executor.terminateAll(owner).get(30, TimeUnit.SECONDS);
    browsers.close();
    executor.close();
  }

  private Browser startHeadless() throws Exception {
    assumeTrue(browsers.settings().installed(), "Chromium is not installed");
    return browsers
        .start(new BrowserSpec(true, false, Optional.empty(), 800, 600), owner, dir)
        .get(40, TimeUnit.SECONDS);
  }

  /** Sends one CDP command over a fresh connection and returns the answer's text. */
  private static String cdp(DevToolsEndpoint endpoint, String command) throws Exception {
    CompletableFuture<String> answer = new CompletableFuture<>();
    StringBuilder text = new StringBuilder();
    WebSocket socket =
        HttpClient.newHttpClient()
            .newWebSocketBuilder()
            .buildAsync(
                endpoint.browserUri(),
                new WebSocket.Listener() {
                  @Override
                  public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                    text.append(data);
                    if (last) {
                      answer.complete(text.toString());
                    }
                    ws.request(1);
                    return null;
                  }
                })
            .get(10, TimeUnit.SECONDS);
    socket.sendText(command, true);
    try {
      return answer.get(10, TimeUnit.SECONDS);
    } finally {
      socket.abort();
    }
  }

  private static List<Long> chromiumProcesses(Path profile) throws Exception {
    try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
      return entries
          .filter(entry -> entry.getFileName().toString().chars().allMatch(Character::isDigit))
          .filter(
              entry -> {
                try {
                  return Files.readString(entry.resolve("cmdline")).contains(profile.toString());
                } catch (Exception gone) {
                  return false;
                }
              })
          .map(entry -> Long.parseLong(entry.getFileName().toString()))
          .toList();
    }
  }

  @Test
  void aStartedBrowserAnswersOverCdpWithItsFilesInTheSession() throws Exception {
    Browser browser = startHeadless();

    assertThat(browser.state()).isEqualTo(BrowserState.RUNNING);
    assertThat(
            cdp(browser.endpoint().orElseThrow(), "{\"id\":7,\"method\":\"Browser.getVersion\"}"))
        .contains("\"id\":7")
        .contains("HeadlessChrome");
    assertThat(browser.downloads()).isEqualTo(dir.resolve("downloads")).isDirectory();
    assertThat(dir.resolve(".browser/profile/Default/Preferences")).exists();
    assertThat(dir.resolve(".browser/home")).isDirectory();
  }

  @Test
  void closingEndsEveryProcessOfTheBrowser() throws Exception {
    Browser browser = startHeadless();
    Path profile = dir.resolve(".browser/profile");
    assertThat(chromiumProcesses(profile)).isNotEmpty();

    browser.close().get(20, TimeUnit.SECONDS);

    assertThat(browser.state()).isEqualTo(BrowserState.STOPPED);
    await().atMost(Duration.ofSeconds(10)).until(() -> chromiumProcesses(profile).isEmpty());
  }

  @Test
  void aBrowserKilledFromOutsideIsStartedAgain() throws Exception {
    Browser browser = startHeadless();
    DevToolsEndpoint first = browser.endpoint().orElseThrow();
    CompletableFuture<Void> restarting = new CompletableFuture<>();
    browser.addListener(
        (which, state) -> {
          if (state == BrowserState.RESTARTING) {
            restarting.complete(null);
          }
        });
    // The browser process itself: its helpers carry a --type.
    ProcessHandle main =
        chromiumProcesses(dir.resolve(".browser/profile")).stream()
            .map(pid -> ProcessHandle.of(pid).orElseThrow())
            .filter(
                p ->
                    p.info().arguments().stream()
                        .flatMap(Stream::of)
                        .noneMatch(arg -> arg.startsWith("--type=")))
            .findFirst()
            .orElseThrow();

    main.destroyForcibly();

    restarting.get(10, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(30)).until(() -> browser.state() == BrowserState.RUNNING);
    assertThat(browser.restarts()).isEqualTo(1);
    DevToolsEndpoint second = browser.endpoint().orElseThrow();
    assertThat(second).isNotEqualTo(first);
    assertThat(cdp(second, "{\"id\":1,\"method\":\"Browser.getVersion\"}")).contains("\"result\"");
  }

  @Test
  void aBrowserThatCannotStartFailsAndLeavesNothingRunning() throws Exception {
    Path fake = dir.resolve("fake-chromium");
    Files.writeString(fake, "#!/bin/sh\necho starting >&2\nexec sleep 600\n");
    fake.toFile().setExecutable(true);
    Browsers slow = new Browsers(executor, settings(fake, Duration.ofSeconds(1)));

    CompletableFuture<Browser> start =
        slow.start(new BrowserSpec(true, false, Optional.empty(), 800, 600), owner, dir);

    assertThatThrownBy(() -> start.get(20, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOfSatisfying(
            ProcessException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(ProcessException.Kind.BROWSER_FAILED);
              assertThat(e.getMessage()).contains("within 1 s").contains("starting");
            });
    await().atMost(Duration.ofSeconds(10)).until(() -> chromiumProcesses(dir).isEmpty());
    slow.close();
  }

  @Test
  void aStartUrlThatIsNoUrlIsRefused() {
    assertThatThrownBy(
            () ->
                browsers.start(
                    new BrowserSpec(true, false, Optional.of("--disable-web-security"), 8, 8),
                    owner,
                    dir))
        .isInstanceOfSatisfying(
            ProcessException.class,
            e -> assertThat(e.kind()).isEqualTo(ProcessException.Kind.INVALID_REQUEST));
  }
}
