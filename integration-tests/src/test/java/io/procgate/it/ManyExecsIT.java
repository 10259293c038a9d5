package io.procgate.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.procgate.client.model.BrowserCreateRequest;
import io.procgate.testing.Processes;
import io.procgate.testing.ServerProcess;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Execs wait without a thread: a thousand running at once leave the server's thread count where it
 * was. A server of its own, whose idle worker threads go within seconds, and whose connections stay
 * open however long an exec runs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(300)
class ManyExecsIT {
  private ServerProcess server;

  @BeforeAll
  void start() throws Exception {
    Map<String, String> settings = ServerProcess.testSettings();
    settings.put("procgate.browser.executable", "/nonexistent/chromium");
    settings.put("quarkus.thread-pool.keep-alive-time", "2s");
    settings.put("procgate.sessions.max-processes", "256");
    server = ServerProcess.start(settings);
  }

  @AfterAll
  void stop() throws Exception {
    server.close();
  }

  @Test
  void aThousandLongExecsHoldNoThreadEach() throws Exception {
    List<String> sessions = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      sessions.add(server.browsers().createBrowser(new BrowserCreateRequest()).getSessionId());
    }
    // One connection per exec, none of them a thread of this test's: the JDK's asynchronous client.
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    // Concurrent calls first, so that every event loop the connections are spread over has started.
    for (CompletableFuture<HttpResponse<String>> warmUp :
        execs(http, sessions, 32, "{\"command\":\"true\"}")) {
      assertThat(warmUp.get(60, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }
    long threadsBefore = Processes.threads(server.pid());

    List<CompletableFuture<HttpResponse<String>>> answers =
        execs(
            http, sessions, 1000, "{\"command\":\"sleep\",\"args\":[\"110\"],\"timeout_sec\":115}");
    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> LoadIT.processesOfSessions(sessions).size() >= 1000);
    // Threads started for the burst of requests go once idle; none stays for a running exec.
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> Processes.threads(server.pid()) <= threadsBefore + 2);
    assertThat(answers).noneMatch(CompletableFuture::isDone);
    assertThat(LoadIT.processesOfSessions(sessions)).hasSizeGreaterThanOrEqualTo(1000);

    for (String session : sessions) {
      server.browsers().deleteBrowser(session);
    }
    for (CompletableFuture<HttpResponse<String>> answer : answers) {
      HttpResponse<String> response = answer.get(60, TimeUnit.SECONDS);
      assertThat(response.statusCode()).isEqualTo(200);
      // Ended by the session's end: SIGTERM.
      assertThat(response.body()).contains("\"exit_code\":143");
    }
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                Processes.all().stream()
                    .noneMatch(p -> p.ppid() == server.pid() && p.state() == 'Z'));
  }

  /** {@code count} execs of the request {@code json}, spread over the sessions. */
  private List<CompletableFuture<HttpResponse<String>>> execs(
      HttpClient http, List<String> sessions, int count, String json) {
    List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String session = sessions.get(i % sessions.size());
      answers.add(
          http.sendAsync(
              HttpRequest.newBuilder(
                      server.baseUri().resolve("/browsers/" + session + "/process/exec"))
                  .header("Authorization", "Bearer " + server.token())
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(json))
                  .build(),
              HttpResponse.BodyHandlers.ofString()));
    }
    return answers;
  }
}
