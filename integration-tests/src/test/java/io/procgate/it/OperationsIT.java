package io.procgate.it;

import static io.procgate.testing.Refusals.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.procgate.client.ApiException;
import io.procgate.client.model.Browser;
import io.procgate.client.model.BrowserCreateRequest;
import io.procgate.client.model.ProcessExecRequest;
import io.procgate.client.model.ProcessKillRequest;
import io.procgate.client.model.ProcessSpawnRequest;
import io.procgate.client.stream.FileTransfers;
import io.procgate.testing.CdpConnection;
import io.procgate.testing.Metrics;
import io.procgate.testing.ServerProcess;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Running the server as a service: health and metrics on the management port, the served API
 * document, the access log and JSON logs. One server with JSON logs and the access log on, so that
 * its counts are this class's alone.
 */
@Timeout(180)
class OperationsIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  // A line of the Combined Log Format.
  private static final Pattern COMBINED =
      Pattern.compile(
          "\\S+ - - \\[\\d{2}/\\w{3}/\\d{4}:\\d{2}:\\d{2}:\\d{2} [+-]\\d{4}] \"[A-Z]+ \\S+"
              + " HTTP/1\\.[01]\" \\d{3} (\\d+|-) \"[^\"]*\" \"[^\"]*\"");

  static ServerProcess server;
  static Metrics atStart;

  @BeforeAll
  static void start() throws Exception {
    Map<String, String> settings = ServerProcess.testSettings();
    settings.put("procgate.log.json", "true");
    settings.put("procgate.log.access", "true");
    server = ServerProcess.start(settings);
    atStart = Metrics.scrape(server);
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  private static HttpResponse<String> get(URI uri) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void healthIsOnTheManagementPortOnly() throws Exception {
    for (String path : List.of("/q/health/live", "/q/health/ready")) {
      HttpResponse<String> health = get(server.managementUri().resolve(path));
      assertThat(health.statusCode()).as(path).isEqualTo(200);
      assertThat(JSON.readTree(health.body()).path("status").asText()).isEqualTo("UP");
      assertThat(get(server.baseUri().resolve(path)).statusCode()).as(path).isEqualTo(401);
    }
    JsonNode live = JSON.readTree(get(server.managementUri().resolve("/q/health/live")).body());
    assertThat(live.path("checks").findValuesAsText("name")).contains("process-supervisor");
  }

  @Test
  void readinessFollowsRoomForASessionAndTheBrowser() throws Exception {
    Path dir = Files.createTempDirectory("pg-browser");
    Path browser =
        Files.createSymbolicLink(dir.resolve("chromium"), Path.of("/usr/lib/chromium/chromium"));
    Map<String, String> settings = ServerProcess.testSettings();
    settings.put("procgate.sessions.max", "1");
    settings.put("procgate.browser.executable", browser.toString());
    try (ServerProcess one = ServerProcess.start(settings)) {
      URI ready = one.managementUri().resolve("/q/health/ready");
      assertThat(get(ready).statusCode()).isEqualTo(200);

      String id = one.browsers().createBrowser(new BrowserCreateRequest()).getSessionId();
      HttpResponse<String> full = get(ready);
      assertThat(full.statusCode()).isEqualTo(503);
      assertThat(full.body()).contains("maximum of 1 sessions");
      assertThat(get(one.managementUri().resolve("/q/health/live")).statusCode()).isEqualTo(200);

      one.browsers().deleteBrowser(id);
      assertThat(get(ready).statusCode()).isEqualTo(200);

      Files.delete(browser);
      HttpResponse<String> gone = get(ready);
      assertThat(gone.statusCode()).isEqualTo(503);
      assertThat(gone.body()).contains("the browser at " + browser + " is gone");
    } finally {
      Files.deleteIfExists(browser);
      Files.delete(dir);
    }
  }

  @Test
  void theServedDocumentIsTheSourceFileByteForByteAndTheUiShowsIt() throws Exception {
    HttpResponse<byte[]> spec =
        HTTP.send(
            HttpRequest.newBuilder(server.baseUri().resolve("/openapi.yaml")).build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertThat(spec.statusCode()).isEqualTo(200);
    assertThat(spec.headers().firstValue("content-type")).contains("application/yaml");
    assertThat(spec.body())
        .isEqualTo(Files.readAllBytes(Path.of(System.getProperty("procgate.spec"))));

    HttpResponse<String> page = get(server.baseUri().resolve("/docs/"));
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("swagger-ui-bundle.js", "swagger-initializer.js");
    assertThat(get(server.baseUri().resolve("/docs/swagger-initializer.js")).body())
        .contains("\"../openapi.yaml\"");
    assertThat(get(server.baseUri().resolve("/docs/swagger-ui-bundle.js")).statusCode())
        .isEqualTo(200);
    HttpResponse<String> bare = get(server.baseUri().resolve("/docs"));
    assertThat(bare.statusCode()).isEqualTo(301);
    assertThat(bare.headers().firstValue("location")).contains("/docs/");
  }

  @Test
  void everyCounterIsThereFromTheStartAtZero() {
    for (String series :
        List.of(
            "procgate_execs_total{outcome=\"exited\"}",
            "procgate_spawns_total{outcome=\"timed_out\"}",
            "procgate_exec_duration_seconds_count",
            "procgate_output_bytes_total{kind=\"spawn\"}",
            "procgate_file_read_bytes_total",
            "procgate_file_written_bytes_total")) {
      assertThat(atStart.text()).as(series).contains("\n" + series + " 0.0\n");
    }
  }

  @Test
  void execsSpawnsAndFilesAreCountedByOutcome() throws Exception {
    Browser session = server.browsers().createBrowser(new BrowserCreateRequest());
    String id = session.getSessionId();
    Metrics before = Metrics.scrape(server);

    exec(id, new ProcessExecRequest().command("/bin/echo").args(List.of("hello")));
    exec(id, new ProcessExecRequest().command("/bin/sh").args(List.of("-c", "exit 3")));
    exec(id, new ProcessExecRequest().command("/bin/sh").args(List.of("-c", "kill -9 $$")));
    exec(id, new ProcessExecRequest().command("/bin/sleep").args(List.of("30")).timeoutSec(1));
    assertRefused(
        () -> exec(id, new ProcessExecRequest().command("/no/such/command")),
        400,
        "command_not_found");
    var sleeper =
        server
            .processes()
            .processSpawn(id, new ProcessSpawnRequest().command("/bin/sleep").args(List.of("60")));
    byte[] content = new byte[100_000];
    FileTransfers.writeFile(
        server.client(), id, "/tmp/metrics-" + id, BodyPublishers.ofByteArray(content), null);
    try (InputStream in = FileTransfers.readFile(server.client(), id, "/tmp/metrics-" + id)) {
      assertThat(in.readAllBytes()).hasSize(content.length);
    }

    Metrics during = Metrics.scrape(server);
    assertThat(delta(before, during, "procgate_execs_total{outcome=\"exited\"}")).isEqualTo(2);
    assertThat(delta(before, during, "procgate_execs_total{outcome=\"signalled\"}")).isEqualTo(1);
    assertThat(delta(before, during, "procgate_execs_total{outcome=\"timed_out\"}")).isEqualTo(1);
    assertThat(delta(before, during, "procgate_execs_total{outcome=\"failed_to_start\"}"))
        .isEqualTo(1);
    assertThat(delta(before, during, "procgate_exec_duration_seconds_count")).isEqualTo(4);
    assertThat(delta(before, during, "procgate_exec_duration_seconds_bucket{le=\"+Inf\"}"))
        .isEqualTo(4);
    assertThat(delta(before, during, "procgate_output_bytes_total{kind=\"exec\"}"))
        .isEqualTo("hello\n".length());
    assertThat(during.value("procgate_processes_running")).isEqualTo(1);
    assertThat(delta(before, during, "procgate_file_written_bytes_total"))
        .isEqualTo(content.length);
    assertThat(during.value("procgate_sessions")).isEqualTo(1);
    assertThat(during.text()).contains("http_server_requests_seconds_count{");
    // A read is counted when its response has ended, which the client can see before the server.
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                delta(before, Metrics.scrape(server), "procgate_file_read_bytes_total")
                    == content.length);

    server
        .processes()
        .processKill(
            id,
            sleeper.getProcessId().toString(),
            new ProcessKillRequest().signal(ProcessKillRequest.SignalEnum.KILL));
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                delta(
                        before,
                        Metrics.scrape(server),
                        "procgate_spawns_total{outcome=\"signalled\"}")
                    == 1);
    assertThat(Metrics.scrape(server).value("procgate_processes_running")).isZero();
    server.browsers().deleteBrowser(id);
    assertThat(Metrics.scrape(server).value("procgate_sessions")).isZero();
  }

  @Test
  void aScrapeIsNotActivity() throws Exception {
    Browser session =
        server.browsers().createBrowser(new BrowserCreateRequest().timeoutSeconds(10));
    long created = System.nanoTime();
    // Its directory goes last when it ends: the count of sessions would wait on other tests' too.
    Path directory = Path.of(session.getWorkDir());
    await()
        .atMost(Duration.ofSeconds(40))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              Metrics.scrape(server);
              return !Files.exists(directory);
            });
    assertThat(server.browsers().listBrowsers(null, null))
        .noneMatch(listed -> listed.getSessionId().equals(session.getSessionId()));
    // Expired by its timeout and the 5 s check, not kept by ten scrapes a second.
    assertThat(Duration.ofNanos(System.nanoTime() - created)).isLessThan(Duration.ofSeconds(30));
  }

  @Test
  void theAccessLogHasEveryRequestAndNoCredential() throws Exception {
    Browser session = server.browsers().createBrowser(new BrowserCreateRequest());
    String jwt = session.getCdpWsUrl().substring(session.getCdpWsUrl().indexOf("jwt=") + 4);
    String marker = UUID.randomUUID().toString();
    get(server.baseUri().resolve("/browsers?marker=" + marker + "&jwt=" + jwt));
    try (CdpConnection cdp = CdpConnection.open(session.getCdpWsUrl())) {
      cdp.call("Browser.getVersion", CdpConnection.params());
    }
    server.browsers().deleteBrowser(session.getSessionId());
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> accessLines().stream().anyMatch(line -> line.contains("DELETE /browsers/")));

    List<String> lines = accessLines();
    assertThat(lines).allSatisfy(line -> assertThat(line).matches(COMBINED));
    assertThat(lines)
        .anySatisfy(
            line ->
                assertThat(line)
                    .contains("\"GET /browsers?marker=" + marker + "&jwt=REDACTED HTTP/1.1\" 401"));
    assertThat(lines)
        .anySatisfy(line -> assertThat(line).contains("\"POST /browsers HTTP/1.1\" 200"));
    assertThat(server.log()).doesNotContain(server.token()).doesNotContain(jwt);
  }

  @Test
  void everyLogLineIsJson() throws Exception {
    for (String line : server.log().split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      JsonNode entry = JSON.readTree(line);
      assertThat(entry.has("message")).as(line).isTrue();
      assertThat(entry.has("level")).as(line).isTrue();
    }
  }

  @Test
  void aServerWhoseLocaleIsNotUtf8SaysThatFileNamesCannotBeUsed() throws Exception {
    try (ServerProcess ascii =
        ServerProcess.startInEnvironment(ServerProcess.testSettings(), Map.of("LC_ALL", "C"))) {
      assertThat(ascii.log()).contains("File names are encoded as ANSI_X3.4-1968, not UTF-8");
    }
  }

  private List<String> accessLines() throws Exception {
    return server
        .log()
        .lines()
        .filter(line -> !line.isBlank())
        .map(OperationsIT::read)
        .filter(entry -> entry.path("loggerName").asText().equals("io.procgate.access"))
        .map(entry -> entry.path("message").asText())
        .toList();
  }

  private static JsonNode read(String line) {
    try {
      return JSON.readTree(line);
    } catch (Exception e) {
      throw new AssertionError("not JSON: " + line, e);
    }
  }

  private static void exec(String id, ProcessExecRequest request) throws ApiException {
    server.processes().processExec(id, request);
  }

  private static double delta(Metrics before, Metrics after, String series) {
    return after.value(series) - before.value(series);
  }
}
