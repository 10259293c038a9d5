package io.procgate.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.procgate.client.ApiException;
import io.procgate.client.api.BrowserProcessesApi;
import io.procgate.client.api.BrowsersApi;
import io.procgate.client.model.BrowserCreateRequest;
import io.procgate.client.model.ProcessExecRequest;
import io.procgate.client.model.ProcessInfo;
import io.procgate.client.model.ProcessKillRequest;
import io.procgate.client.model.ProcessResizeRequest;
import io.procgate.client.model.ProcessSpawnRequest;
import io.procgate.client.model.ProcessSpawnResult;
import io.procgate.client.model.ProcessStatus;
import io.procgate.client.model.ProcessStdinRequest;
import io.procgate.client.stream.ProcessOutput;
import io.procgate.testing.Processes;
import io.procgate.testing.ServerProcess;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Long-running processes over real HTTP: the generated client, and its SSE reader. */
@ExtendWith(SharedServer.class)
@Timeout(120)
class ProcessesIT {
  private final ServerProcess server;
  private final BrowsersApi browsers;
  private final BrowserProcessesApi processes;
  private String session;

  ProcessesIT(ServerProcess server) {
    this.server = server;
    this.browsers = server.browsers();
    this.processes = server.processes();
  }

  @BeforeEach
  void createSession() throws Exception {
    session = browsers.createBrowser(new BrowserCreateRequest()).getSessionId();
  }

  @AfterEach
  void deleteSession() throws Exception {
    browsers.deleteBrowser(session);
  }

  private ProcessSpawnResult spawn(ProcessSpawnRequest request) throws ApiException {
    return processes.processSpawn(session, request);
  }

  private ProcessSpawnResult spawn(String command, String... args) throws ApiException {
    return spawn(new ProcessSpawnRequest().command(command).args(List.of(args)));
  }

  private String id(ProcessSpawnResult process) {
    return process.getProcessId().toString();
  }

  private Streams read(ProcessSpawnResult process) throws Exception {
    return Streams.read(server, session, id(process), null);
  }

  private void stdin(ProcessSpawnResult process, String text, boolean close) throws ApiException {
    processes.processStdin(
        session,
        id(process),
        new ProcessStdinRequest()
            .dataB64(Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8)))
            .close(close));
  }

  private ProcessStatus status(ProcessSpawnResult process) throws ApiException {
    return processes.processStatus(session, id(process));
  }

  private static void assertApiError(ThrowingCall call, int status, String code) {
    assertThatThrownBy(call::run)
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.getCode()).as(e.getResponseBody()).isEqualTo(status);
              assertThat(e.getResponseBody()).contains("\"code\":\"" + code + "\"");
            });
  }

  private interface ThrowingCall {
    void run() throws Exception;
  }

  @Test
  void twoSimultaneousSubscribersBothReceiveAllOfTheOutput() throws Exception {
    ProcessSpawnResult seq = spawn("sh", "-c", "sleep 0.5; seq 1 100000");
    Streams first = read(seq);
    Streams second = read(seq);
    String expected =
        IntStream.rangeClosed(1, 100000)
            .mapToObj(Integer::toString)
            .collect(Collectors.joining("\n", "", "\n"));

    for (Streams stream : List.of(first, second)) {
      List<ProcessOutput.Event> events = stream.ended.get(60, TimeUnit.SECONDS);
      assertThat(Streams.text(events, "stdout")).isEqualTo(expected);
      assertThat(Streams.exitCode(events)).isZero();
    }
    assertThat(seq.getPid()).isPositive();
    assertThat(seq.getStartedAt()).isNotNull();
  }

  @Test
  void aSubscriberJoiningAfterTheExitGetsTheWholeOutputAndTheExit() throws Exception {
    ProcessSpawnResult process = spawn("echo out; echo err >&2; exit 5");
    await().until(() -> status(process).getState() == ProcessStatus.StateEnum.EXITED);

    List<ProcessOutput.Event> events = read(process).ended.get(10, TimeUnit.SECONDS);

    assertThat(Streams.text(events, "stdout")).isEqualTo("out\n");
    assertThat(Streams.text(events, "stderr")).isEqualTo("err\n");
    assertThat(Streams.exitCode(events)).isEqualTo(5);
    assertThat(status(process).getExitCode()).isEqualTo(5);
  }

  @Test
  void aReconnectWithLastEventIdResumesWithoutGapOrRepeat() throws Exception {
    ProcessSpawnResult process = spawn("for i in 1 2 3 4 5; do echo line-$i; sleep 0.1; done");
    List<ProcessOutput.Event> all = read(process).ended.get(30, TimeUnit.SECONDS);
    ProcessOutput.Event second = all.get(1);

    List<ProcessOutput.Event> rest =
        Streams.read(server, session, id(process), second.id()).ended.get(10, TimeUnit.SECONDS);
    List<ProcessOutput.Event> afterExit =
        Streams.read(server, session, id(process), all.get(all.size() - 1).id())
            .ended
            .get(10, TimeUnit.SECONDS);

    assertThat(Streams.text(all.subList(0, 2), "stdout") + Streams.text(rest, "stdout"))
        .isEqualTo(Streams.text(all, "stdout"));
    assertThat(Streams.exitCode(rest)).isZero();
    assertThat(afterExit).isEmpty();
    assertApiError(
        () -> Streams.read(server, session, id(process), "99999999"), 400, "invalid_last_event_id");
    assertApiError(
        () -> Streams.read(server, session, id(process), "not-an-id"),
        400,
        "invalid_last_event_id");
    assertApiError(
        () -> Streams.read(server, session, id(process), "9".repeat(33)), 400, "validation_failed");
  }

  @Test
  void aProcessPrinting50MibWithNoReaderFinishes() throws Exception {
    ProcessSpawnResult process = spawn("head -c 52428800 /dev/urandom; echo done >&2");

    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> status(process).getState() == ProcessStatus.StateEnum.EXITED);

    assertThat(status(process).getExitCode()).isZero();
    List<ProcessOutput.Event> events = read(process).ended.get(30, TimeUnit.SECONDS);
    assertThat(events.get(0).data().getDroppedBytes()).isPositive();
    assertThat(Streams.text(events, "stderr")).isEqualTo("done\n");
  }

  @Test
  void stdinRoundTripsThroughCatAndClosingItEndsCat() throws Exception {
    ProcessSpawnResult cat = spawn("cat");
    Streams output = read(cat);

    stdin(cat, "hello\n", false);
    await().until(() -> output.stdout().equals("hello\n"));
    stdin(cat, "", true);

    List<ProcessOutput.Event> events = output.ended.get(10, TimeUnit.SECONDS);
    assertThat(Streams.exitCode(events)).isZero();
    assertApiError(() -> stdin(cat, "late", false), 409, "process_exited");
  }

  @Test
  void invalidBase64IsRefused() throws Exception {
    ProcessSpawnResult cat = spawn("cat");

    assertApiError(
        () ->
            processes.processStdin(
                session, id(cat), new ProcessStdinRequest().dataB64("%%not base64%%")),
        400,
        "invalid_base64");
  }

  @Test
  void eachSignalReachesTheGroupAndSetsTheExitCode() throws Exception {
    Map<ProcessKillRequest.SignalEnum, Integer> expected =
        Map.of(
            ProcessKillRequest.SignalEnum.TERM, 143,
            ProcessKillRequest.SignalEnum.KILL, 137,
            ProcessKillRequest.SignalEnum.INT, 130,
            ProcessKillRequest.SignalEnum.HUP, 129,
            ProcessKillRequest.SignalEnum.QUIT, 131,
            ProcessKillRequest.SignalEnum.USR1, 138,
            ProcessKillRequest.SignalEnum.USR2, 140);
    for (Map.Entry<ProcessKillRequest.SignalEnum, Integer> entry : expected.entrySet()) {
      ProcessSpawnResult process = spawn("sleep", "60");
      Streams output = read(process);

      processes.processKill(session, id(process), new ProcessKillRequest().signal(entry.getKey()));

      assertThat(Streams.exitCode(output.ended.get(10, TimeUnit.SECONDS)))
          .as(entry.getKey().getValue())
          .isEqualTo(entry.getValue());
      assertApiError(
          () -> processes.processKill(session, id(process), new ProcessKillRequest()),
          409,
          "process_exited");
    }
  }

  @Test
  void anEmptyKillRequestMeansTerm() throws Exception {
    ProcessSpawnResult process = spawn("sleep", "60");
    Streams output = read(process);

    processes.processKill(session, id(process), new ProcessKillRequest().signal(null));

    assertThat(Streams.exitCode(output.ended.get(10, TimeUnit.SECONDS))).isEqualTo(143);
  }

  @Test
  void stopAndContinueAreSentToTheGroup() throws Exception {
    // It counts until told to stop: a loop with an end of its own could be over before the STOP
    // on a busy machine, and a zombie is never 'T'.
    ProcessSpawnResult process =
        spawn("i=0; until [ -e enough ]; do i=$((i+1)); echo $i; sleep 0.2; done");
    Streams output = read(process);
    await().until(() -> output.stdout().startsWith("1\n"));

    processes.processKill(
        session, id(process), new ProcessKillRequest().signal(ProcessKillRequest.SignalEnum.STOP));
    // The shell and its sleep, the whole group, are stopped; a sleep that ended just as the signal
    // came stays a zombie, which the stopped shell cannot reap until it continues.
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              List<Processes.Stat> group = Processes.inGroup(process.getPid());
              return group.stream()
                      .anyMatch(member -> member.pid() == process.getPid() && member.state() == 'T')
                  && group.stream()
                      .allMatch(member -> member.state() == 'T' || member.state() == 'Z');
            });
    String stopped = output.stdout();
    // Two keep-alives come only after a full quiet interval (500 ms here) with nothing to send.
    int keepAlives = output.keepAlives();
    await().until(() -> output.keepAlives() >= keepAlives + 2);
    assertThat(output.stdout()).as("no output while stopped").isEqualTo(stopped);
    assertThat(status(process).getState()).isEqualTo(ProcessStatus.StateEnum.RUNNING);
    processes.processKill(
        session, id(process), new ProcessKillRequest().signal(ProcessKillRequest.SignalEnum.CONT));
    await().until(() -> output.stdout().length() > stopped.length());
    processes.processExec(session, new ProcessExecRequest().command("touch enough"));

    assertThat(Streams.exitCode(output.ended.get(10, TimeUnit.SECONDS))).isZero();
    String counted = output.stdout();
    assertThat(counted)
        .isEqualTo(
            IntStream.rangeClosed(1, (int) counted.lines().count())
                .mapToObj(i -> i + "\n")
                .collect(Collectors.joining()));
  }

  @Test
  void aTimeoutEndsTheProcessAndItsGrandchild() throws Exception {
    ProcessSpawnResult process =
        spawn(new ProcessSpawnRequest().command("sleep 60 & echo $!; wait").timeoutSec(1));
    Streams output = read(process);

    List<ProcessOutput.Event> events = output.ended.get(20, TimeUnit.SECONDS);

    long grandchild = Long.parseLong(Streams.text(events, "stdout").trim());
    assertThat(Streams.exitCode(events)).isEqualTo(143);
    assertThat(status(process).getSignal()).isEqualTo("SIGTERM");
    await().atMost(Duration.ofSeconds(10)).until(() -> !Processes.alive(grandchild));
  }

  @Test
  void aPtyShellAnswersThroughTheStreamAndResizes() throws Exception {
    ProcessSpawnResult shell =
        spawn(new ProcessSpawnRequest().command("sh").allocateTty(true).rows(30).cols(100));
    Streams output = read(shell);

    stdin(shell, "stty size; tty\n", false);
    await().atMost(Duration.ofSeconds(10)).until(() -> output.stdout().contains("/dev/pts/"));
    processes.processResize(session, id(shell), new ProcessResizeRequest().rows(50).cols(132));
    stdin(shell, "stty size; exit\n", false);

    List<ProcessOutput.Event> events = output.ended.get(10, TimeUnit.SECONDS);
    String text = Streams.text(events, "stdout");
    assertThat(text).contains("30 100", "/dev/pts/", "50 132");
    assertThat(text.indexOf("50 132")).isGreaterThan(text.indexOf("30 100"));
    assertThat(Streams.exitCode(events)).isZero();
  }

  @Test
  void aPtyDefaultsTo24By80() throws Exception {
    ProcessSpawnResult process =
        spawn(
            new ProcessSpawnRequest()
                .command("stty size; test -t 0 && echo tty")
                .allocateTty(true));

    List<ProcessOutput.Event> events = read(process).ended.get(10, TimeUnit.SECONDS);

    assertThat(Streams.text(events, "stdout")).contains("24 80", "tty");
  }

  @Test
  void resizingAProcessWithoutATerminalIsRefused() throws Exception {
    ProcessSpawnResult process = spawn("sleep", "30");

    assertApiError(
        () ->
            processes.processResize(
                session, id(process), new ProcessResizeRequest().rows(10).cols(10)),
        400,
        "not_a_terminal");
    assertApiError(
        () ->
            processes.processResize(
                session, id(process), new ProcessResizeRequest().rows(0).cols(10)),
        400,
        "validation_failed");
  }

  @Test
  void statusShowsTheCpuOfABusyTreeAndTheMemoryItHolds() throws Exception {
    ProcessSpawnResult busy = spawn("sh -c 'while :; do :; done' & wait");
    ProcessSpawnResult idle = spawn("sleep", "60");
    ProcessSpawnResult holder =
        spawn("x=$(head -c 110000000 /dev/zero | tr '\\0' a); echo held; sleep 60");
    Streams held = read(holder);

    // A spinning shell gets a fair share of a core, even when every core is busy, once it runs;
    // a sleeping process gets none.
    await().atMost(Duration.ofSeconds(30)).until(() -> status(busy).getCpuPct() > 25.0);
    assertThat(status(idle).getCpuPct()).isLessThan(5.0);
    assertThat(status(busy).getExitCode()).isNull();
    await().atMost(Duration.ofSeconds(30)).until(() -> held.stdout().contains("held"));
    assertThat(status(holder).getMemBytes()).isGreaterThanOrEqualTo(100L * 1024 * 1024);
  }

  @Test
  void aQuietStreamCarriesKeepAlives() throws Exception {
    ProcessSpawnResult process = spawn("sleep 2; echo late");
    Streams output = read(process);

    List<ProcessOutput.Event> events = output.ended.get(10, TimeUnit.SECONDS);

    assertThat(output.keepAlives()).isGreaterThanOrEqualTo(2);
    assertThat(Streams.text(events, "stdout")).isEqualTo("late\n");
  }

  @Test
  void theListShowsRunningAndExitedProcesses() throws Exception {
    ProcessSpawnResult running = spawn("sleep", "30");
    ProcessSpawnResult done = spawn("exit 3");
    await().until(() -> status(done).getState() == ProcessStatus.StateEnum.EXITED);

    List<ProcessInfo> list = processes.processList(session);

    assertThat(list)
        .extracting(ProcessInfo::getProcessId)
        .containsExactly(running.getProcessId(), done.getProcessId());
    ProcessInfo first = list.get(0);
    assertThat(first.getCommand()).isEqualTo("sleep 30");
    assertThat(first.getState()).isEqualTo(ProcessInfo.StateEnum.RUNNING);
    assertThat(first.getExitCode()).isNull();
    assertThat(first.getEndedAt()).isNull();
    ProcessInfo second = list.get(1);
    assertThat(second.getState()).isEqualTo(ProcessInfo.StateEnum.EXITED);
    assertThat(second.getExitCode()).isEqualTo(3);
    assertThat(second.getEndedAt()).isAfterOrEqualTo(second.getStartedAt());
  }

  @Test
  void aProcessIsNotFoundUnderAnotherSessionOrByAnUnknownId() throws Exception {
    ProcessSpawnResult process = spawn("sleep", "30");
    String other = browsers.createBrowser(new BrowserCreateRequest()).getSessionId();
    try {
      String pid = id(process);
      assertApiError(() -> processes.processStatus(other, pid), 404, "process_not_found");
      assertApiError(() -> Streams.read(server, other, pid, null), 404, "process_not_found");
      assertApiError(
          () -> processes.processStdin(other, pid, new ProcessStdinRequest().dataB64("eA==")),
          404,
          "process_not_found");
      assertApiError(
          () -> processes.processKill(other, pid, new ProcessKillRequest()),
          404,
          "process_not_found");
      assertApiError(
          () -> processes.processResize(other, pid, new ProcessResizeRequest().rows(5).cols(5)),
          404,
          "process_not_found");
      assertThat(processes.processList(other)).isEmpty();
      assertApiError(
          () -> processes.processStatus(session, java.util.UUID.randomUUID().toString()),
          404,
          "process_not_found");
      assertApiError(() -> processes.processStatus(session, "../etc"), 404, "process_not_found");
      assertThat(status(process).getState()).isEqualTo(ProcessStatus.StateEnum.RUNNING);
    } finally {
      browsers.deleteBrowser(other);
    }
  }
}
