package io.procgate.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.procgate.client.api.BrowserProcessesApi;
import io.procgate.client.api.BrowsersApi;
import io.procgate.client.model.Browser;
import io.procgate.client.model.BrowserCreateRequest;
import io.procgate.client.model.ProcessExecRequest;
import io.procgate.client.model.ProcessExecResult;
import io.procgate.client.model.ProcessSpawnRequest;
import io.procgate.client.model.ProcessSpawnResult;
import io.procgate.client.model.ProcessStatus;
import io.procgate.client.stream.ProcessOutput;
import io.procgate.testing.Processes;
import io.procgate.testing.ServerProcess;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** What happens when clients, processes or the server itself misbehave or go away. */
@ExtendWith(SharedServer.class)
@Timeout(120)
class FaultsIT {
  private final ServerProcess server;
  private final BrowsersApi browsers;
  private final BrowserProcessesApi processes;
  private Browser session;

  FaultsIT(ServerProcess server) {
    this.server = server;
    this.browsers = server.browsers();
    this.processes = server.processes();
  }

  @BeforeEach
  void createSession() throws Exception {
    session = browsers.createBrowser(new BrowserCreateRequest());
  }

  @AfterEach
  void deleteSession() throws Exception {
    try {
      browsers.deleteBrowser(session.getSessionId());
    } catch (io.procgate.client.ApiException alreadyGone) {
      assertThat(alreadyGone.getCode()).isEqualTo(404);
    }
  }

  private Path workDir() {
    return Path.of(session.getWorkDir());
  }

  private long awaitPid(String file) throws Exception {
    Path pidFile = workDir().resolve(file);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> Files.exists(pidFile) && Files.size(pidFile) > 1);
    return Long.parseLong(Files.readString(pidFile).trim());
  }

  /** Sends a request over a socket it then closes, as a client that dies mid-request. */
  private Socket openRaw(String method, String path, String body) throws Exception {
    Socket socket = new Socket(server.baseUri().getHost(), server.baseUri().getPort());
    byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
    String head =
        method
            + " "
            + path
            + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
            + server.token()
            + "\r\nAccept: */*\r\n"
            + (body == null
                ? ""
                : "Content-Type: application/json\r\nContent-Length: " + bytes.length + "\r\n")
            + "\r\n";
    OutputStream out = socket.getOutputStream();
    out.write(head.getBytes(StandardCharsets.US_ASCII));
    out.write(bytes);
    out.flush();
    return socket;
  }

  @Test
  void aClientThatDisconnectsMidExecHasItsProcessGroupEnded() throws Exception {
    Socket client =
        openRaw(
            "POST",
            "/browsers/" + session.getSessionId() + "/process/exec",
            "{\"command\":\"echo $$ > exec.pid; sleep 60 & wait\",\"timeout_sec\":100}");
    long shell = awaitPid("exec.pid");

    client.close();

    await().atMost(Duration.ofSeconds(10)).until(() -> Processes.inGroup(shell).isEmpty());
  }

  @Test
  void aClientThatDisconnectsMidStreamLeavesTheProcessRunning() throws Exception {
    ProcessSpawnResult process =
        processes.processSpawn(
            session.getSessionId(),
            new ProcessSpawnRequest().command("while :; do echo tick; sleep 0.1; done"));
    Socket reader =
        openRaw(
            "GET",
            "/browsers/"
                + session.getSessionId()
                + "/process/"
                + process.getProcessId()
                + "/stdout/stream",
            null);
    assertThat(reader.getInputStream().read(new byte[64])).isPositive();

    reader.close();

    String id = process.getProcessId().toString();
    await()
        .pollDelay(Duration.ofMillis(500))
        .atMost(Duration.ofSeconds(5))
        .until(() -> Processes.alive(process.getPid()));
    assertThat(processes.processStatus(session.getSessionId(), id).getState())
        .isEqualTo(ProcessStatus.StateEnum.RUNNING);
    List<ProcessOutput.Event> later = Streams.read(server, session.getSessionId(), id, null).events;
    await().until(() -> !later.isEmpty());
  }

  @Test
  void aChildKilledFromOutsideReportsItsSignal() throws Exception {
    CompletableFuture<ProcessExecResult> exec =
        CompletableFuture.supplyAsync(
            () ->
                call(
                    () ->
                        processes.processExec(
                            session.getSessionId(),
                            new ProcessExecRequest()
                                .command("echo $$ > killed.pid; exec sleep 60"))));
    long pid = awaitPid("killed.pid");

    ProcessHandle.of(pid).orElseThrow().destroyForcibly();

    ProcessExecResult result = exec.get(20, TimeUnit.SECONDS);
    assertThat(result.getExitCode()).isEqualTo(137);
    assertThat(result.getSignal()).isEqualTo("SIGKILL");
    assertThat(result.getTimedOut()).isFalse();
  }

  @Test
  void aSpawnedChildKilledFromOutsideEndsItsStreamWithItsSignal() throws Exception {
    ProcessSpawnResult process =
        processes.processSpawn(
            session.getSessionId(), new ProcessSpawnRequest().command("sleep").args(List.of("60")));
    Streams output =
        Streams.read(server, session.getSessionId(), process.getProcessId().toString(), null);

    ProcessHandle.of(process.getPid()).orElseThrow().destroyForcibly();

    assertThat(Streams.exitCode(output.ended.get(20, TimeUnit.SECONDS))).isEqualTo(137);
  }

  @Test
  void aProcessThatClosesItsStdoutEarlyStillGetsItsStderrAndExitReported() throws Exception {
    ProcessExecResult result =
        processes.processExec(
            session.getSessionId(),
            new ProcessExecRequest()
                .command("echo early; exec >&-; sleep 0.3; echo late >&2; exit 4"));

    assertThat(new String(Base64.getDecoder().decode(result.getStdoutB64()))).isEqualTo("early\n");
    assertThat(new String(Base64.getDecoder().decode(result.getStderrB64()))).isEqualTo("late\n");
    assertThat(result.getExitCode()).isEqualTo(4);
  }

  @Test
  void aForkOf200ChildrenThenExitAnswersAtOnceAndTheChildrenEndWithTheSession() throws Exception {
    long started = System.nanoTime();
    ProcessExecResult result =
        processes.processExec(
            session.getSessionId(),
            new ProcessExecRequest()
                .command("i=0; while [ $i -lt 200 ]; do sleep 60 & i=$((i+1)); done; echo $$"));
    long shell =
        Long.parseLong(new String(Base64.getDecoder().decode(result.getStdoutB64())).trim());

    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
    assertThat(result.getExitCode()).isZero();
    assertThat(Processes.inGroup(shell)).hasSizeGreaterThanOrEqualTo(200);

    browsers.deleteBrowser(session.getSessionId());

    await().atMost(Duration.ofSeconds(10)).until(() -> Processes.inGroup(shell).isEmpty());
  }

  @Test
  void deletingASessionWhile20ProcessesRunAnd5ClientsStreamEndsThemAll() throws Exception {
    List<ProcessSpawnResult> running = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      String command =
          i % 2 == 0 ? "while :; do echo $$; sleep 0.2; done" : "trap '' TERM; sleep 60";
      running.add(
          processes.processSpawn(
              session.getSessionId(), new ProcessSpawnRequest().command(command)));
    }
    List<Streams> streams = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      streams.add(
          Streams.read(
              server, session.getSessionId(), running.get(i).getProcessId().toString(), null));
    }

    long started = System.nanoTime();
    browsers.deleteBrowser(session.getSessionId());

    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
    for (Streams stream : streams) {
      assertThat(Streams.exitCode(stream.ended.get(20, TimeUnit.SECONDS))).isIn(128 + 15, 128 + 9);
    }
    for (ProcessSpawnResult process : running) {
      assertThat(Processes.alive(process.getPid())).as("pid " + process.getPid()).isFalse();
    }
    assertThat(workDir()).doesNotExist();
    assertThat(LoadIT.processesOfSessions(List.of(session.getSessionId()))).isEmpty();
  }

  @Test
  void stoppingTheServerWithSigtermEndsEveryProcessGroupItStarted() throws Exception {
    Map<String, String> settings = ServerProcess.testSettings();
    ServerProcess own = ServerProcess.start(settings);
    List<Long> pids = new ArrayList<>();
    String ownSession = own.browsers().createBrowser(new BrowserCreateRequest()).getSessionId();
    for (int i = 0; i < 20; i++) {
      String command = i % 2 == 0 ? "sleep 60 & sleep 60" : "trap '' TERM; sleep 60";
      pids.add(
          own.processes()
              .processSpawn(ownSession, new ProcessSpawnRequest().command(command))
              .getPid()
              .longValue());
    }
    List<Long> groupMembers = new ArrayList<>();
    for (long pid : pids) {
      Processes.inGroup(pid).forEach(p -> groupMembers.add(p.pid()));
    }

    long started = System.nanoTime();
    own.process().destroy();
    assertThat(own.process().waitFor(30, TimeUnit.SECONDS)).isTrue();

    // The grace of the test settings is one second; the rest is the JVM shutting down.
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
    assertThat(groupMembers).hasSizeGreaterThanOrEqualTo(30);
    for (long pid : groupMembers) {
      assertThat(Processes.alive(pid)).as("pid " + pid + " outlived the server").isFalse();
    }
    assertThat(LoadIT.processesOfSessions(List.of(ownSession))).isEmpty();
    assertThat(own.sessionsRoot().resolve(ownSession)).doesNotExist();
  }

  private interface Call<T> {
    T call() throws Exception;
  }

  private static <T> T call(Call<T> call) {
    try {
      return call.call();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
