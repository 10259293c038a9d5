package io.procgate.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.procgate.client.ApiException;
import io.procgate.client.api.BrowserProcessesApi;
import io.procgate.client.model.BrowserCreateRequest;
import io.procgate.client.model.ProcessExecRequest;
import io.procgate.client.model.ProcessInfo;
import io.procgate.client.model.ProcessKillRequest;
import io.procgate.client.model.ProcessSpawnRequest;
import io.procgate.client.model.ProcessSpawnResult;
import io.procgate.client.model.ProcessStatus;
import io.procgate.testing.ServerProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The session limit, the per-session process limit and the retention of exited processes, on a
 * server of its own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60)
class LimitsIT {
  private static final int MAX_SESSIONS = 8;
  private ServerProcess server;
  private BrowserProcessesApi processes;

  @BeforeAll
  void start() throws Exception {
    Map<String, String> settings = ServerProcess.testSettings();
    settings.put("procgate.sessions.max", Integer.toString(MAX_SESSIONS));
    settings.put("procgate.sessions.max-processes", "3");
    settings.put("procgate.spawn.retention", "2s");
    settings.put("procgate.spawn.retained-exited", "2");
    server = ServerProcess.start(settings);
    processes = server.processes();
  }

  @AfterAll
  void stop() throws Exception {
    server.close();
  }

  private String newSession() throws ApiException {
    return server.browsers().createBrowser(new BrowserCreateRequest()).getSessionId();
  }

  private ProcessSpawnResult spawn(String session, String command) throws ApiException {
    return processes.processSpawn(session, new ProcessSpawnRequest().command(command));
  }

  private ProcessStatus.StateEnum state(String session, ProcessSpawnResult process)
      throws ApiException {
    return processes.processStatus(session, process.getProcessId().toString()).getState();
  }

  @Test
  void pastTheLimitSpawnAndExecAre429UntilAProcessEnds() throws Exception {
    String session = newSession();
    ProcessSpawnResult first = spawn(session, "sleep 30");
    spawn(session, "sleep 30");
    spawn(session, "sleep 30");

    for (ThrowingCall call :
        List.<ThrowingCall>of(
            () -> spawn(session, "true"),
            () -> processes.processExec(session, new ProcessExecRequest().command("true")))) {
      assertThatThrownBy(call::run)
          .isInstanceOfSatisfying(
              ApiException.class,
              e -> {
                assertThat(e.getCode()).isEqualTo(429);
                assertThat(e.getResponseBody()).contains("\"code\":\"too_many_processes\"");
                assertThat(e.getResponseHeaders().firstValue("x-should-retry")).isEmpty();
              });
    }
    assertThat(
            processes
                .processExec(newSession(), new ProcessExecRequest().command("true"))
                .getExitCode())
        .as("another session has its own limit")
        .isZero();

    processes.processKill(session, first.getProcessId().toString(), new ProcessKillRequest());
    await().until(() -> state(session, first) == ProcessStatus.StateEnum.EXITED);
    assertThat(
            processes.processExec(session, new ProcessExecRequest().command("true")).getExitCode())
        .isZero();
    server.browsers().deleteBrowser(session);
  }

  @Test
  void exitedProcessesAreKeptForTheRetentionTimeAndCountThen404() throws Exception {
    String session = newSession();
    List<ProcessSpawnResult> done =
        List.of(spawn(session, "true"), spawn(session, "true"), spawn(session, "true"));
    await()
        .until(
            () ->
                processes.processList(session).stream()
                    .allMatch(p -> p.getState() == ProcessInfo.StateEnum.EXITED));

    assertThat(processes.processList(session))
        .extracting(ProcessInfo::getProcessId)
        .containsExactly(done.get(1).getProcessId(), done.get(2).getProcessId());
    assertThatThrownBy(() -> state(session, done.get(0)))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getCode()).isEqualTo(404));

    await().atMost(Duration.ofSeconds(10)).until(() -> processes.processList(session).isEmpty());
    assertThatThrownBy(() -> state(session, done.get(2)))
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.getCode()).isEqualTo(404);
              assertThat(e.getResponseBody()).contains("process_not_found");
            });
    server.browsers().deleteBrowser(session);
  }

  @Test
  void pastTheSessionLimitCreateIs429AndChangesNothingUntilOneIsDeleted() throws Exception {
    List<String> created = new ArrayList<>();
    try {
      while (server.browsers().listBrowsers(0, 100).size() < MAX_SESSIONS) {
        created.add(newSession());
      }
      Set<Path> directories = sessionDirectories();

      assertThatThrownBy(
              () -> server.browsers().createBrowser(new BrowserCreateRequest().name("one-more")))
          .isInstanceOfSatisfying(
              ApiException.class,
              e -> {
                assertThat(e.getCode()).isEqualTo(429);
                assertThat(e.getResponseBody()).contains("\"code\":\"too_many_sessions\"");
                assertThat(e.getResponseHeaders().firstValue("x-should-retry")).isEmpty();
              });
      assertThat(server.browsers().listBrowsers(0, 100)).hasSize(MAX_SESSIONS);
      assertThat(sessionDirectories()).isEqualTo(directories);

      server.browsers().deleteBrowser(created.remove(0));
      created.add(
          server
              .browsers()
              .createBrowser(new BrowserCreateRequest().name("one-more"))
              .getSessionId());
    } finally {
      for (String session : created) {
        server.browsers().deleteBrowser(session);
      }
    }
  }

  private Set<Path> sessionDirectories() throws IOException {
    try (Stream<Path> entries = Files.list(server.sessionsRoot())) {
      return entries.collect(Collectors.toSet());
    }
  }

  private interface ThrowingCall {
    void run() throws Exception;
  }
}
