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
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/** The per-session process limit and the retention of exited processes, on a server of its own. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60)
class LimitsIT {
  private ServerProcess server;
  private BrowserProcessesApi processes;

  @BeforeAll
  void start() throws Exception {
    Map<String, String> settings = ServerProcess.testSettings();
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

  private interface ThrowingCall {
    void run() throws Exception;
  }
}
