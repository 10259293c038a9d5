package io.procgate.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.procgate.core.ProcessException.Kind;
import io.procgate.core.internal.stream.Collector;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class SpawnTest {
  private static final Duration HEARTBEAT = Duration.ofSeconds(30);
  private static final int BUFFER = 1024 * 1024;

  @TempDir Path dir;
  ExecFixture fixture;
  ExecutorService delivery = Executors.newFixedThreadPool(2);

  @BeforeEach
  void start() {
    fixture =
        new ExecFixture(
            ExecutorSettings.builder()
                .outputBuffer(BUFFER)
                .maxProcesses(3)
                .retention(Duration.ofSeconds(2))
                .retainedExited(2)
                .stdinWait(Duration.ofMillis(500))
                .killGrace(Duration.ofMillis(500))
                .build(),
            dir);
  }

  @AfterEach
  void stop() throws Exception {
    fixture.close();
    delivery.shutdownNow();
  }

  private SpawnedProcess spawn(LaunchRequest.Builder request) {
    return fixture.executor.spawn(request.build(), fixture.owner);
  }

  private SpawnedProcess spawn(String command, String... args) {
    return spawn(fixture.command(command, args));
  }

  private Collector read(SpawnedProcess process) {
    Collector collector = Collector.unbounded();
    process.output(0, delivery, HEARTBEAT).subscribe(collector);
    return collector;
  }

  private static String stdout(List<OutputEvent> events) {
    return new String(Collector.bytes(events, OutputEvent.Source.STDOUT), StandardCharsets.UTF_8);
  }

  private static ExitStatus exitOf(List<OutputEvent> events) {
    return ((OutputEvent.Exit) events.get(events.size() - 1)).status();
  }

  @Test
  void twoReadersBothGetAllOfTheOutputAndTheExitLast() throws Exception {
    SpawnedProcess process = spawn("seq", "1", "100000");
    Collector first = read(process);
    Collector second = read(process);
    String expected =
        IntStream.rangeClosed(1, 100000)
            .mapToObj(Integer::toString)
            .collect(Collectors.joining("\n", "", "\n"));

    for (Collector collector : List.of(first, second)) {
      List<OutputEvent> events = collector.done.get(30, TimeUnit.SECONDS);
      assertThat(stdout(events)).isEqualTo(expected);
      assertThat(exitOf(events)).isEqualTo(ExitStatus.exited(0));
    }
    assertThat(process.isRunning()).isFalse();
    assertThat(process.endedAt()).isPresent();
  }

  @Test
  void aProcessNobodyReadsRunsToTheEndAndTheBufferKeepsItsNewestOutput() throws Exception {
    SpawnedProcess process = spawn("head -c 52428800 /dev/zero; echo the-end");

    await().atMost(Duration.ofSeconds(30)).until(() -> !process.isRunning());
    List<OutputEvent> events = read(process).done.get(10, TimeUnit.SECONDS);

    assertThat(process.exitStatus()).contains(ExitStatus.exited(0));
    OutputEvent.Output first = (OutputEvent.Output) events.get(0);
    assertThat(first.droppedBefore()).isEqualTo(52428800L + 8 - BUFFER);
    assertThat(stdout(events)).hasSize(BUFFER).endsWith("the-end\n");
  }

  @Test
  void stdinReachesTheProcessAndClosingItEndsCat() throws Exception {
    SpawnedProcess process = spawn("cat");
    Collector output = read(process);

    assertThat(process.writeStdin("hello\n".getBytes(), false).get(5, TimeUnit.SECONDS))
        .isEqualTo(6);
    await().until(() -> stdout(output.events).equals("hello\n"));
    assertThat(process.writeStdin("bye\n".getBytes(), true).get(5, TimeUnit.SECONDS)).isEqualTo(4);

    List<OutputEvent> events = output.done.get(10, TimeUnit.SECONDS);
    assertThat(stdout(events)).isEqualTo("hello\nbye\n");
    assertThat(exitOf(events)).isEqualTo(ExitStatus.exited(0));
  }

  @Test
  void aWriteTheProcessDoesNotReadReturnsShortAfterTheWait() throws Exception {
    SpawnedProcess process = spawn("sleep", "30");
    byte[] big = new byte[4 * 1024 * 1024];

    long started = System.nanoTime();
    int written = process.writeStdin(big, false).get(5, TimeUnit.SECONDS);

    assertThat(written).isPositive().isLessThan(big.length);
    assertThat(Duration.ofNanos(System.nanoTime() - started))
        .isBetween(Duration.ofMillis(400), Duration.ofSeconds(3));
  }

  @Test
  void stdinAfterCloseAndAfterExitIsRefused() throws Exception {
    SpawnedProcess process = spawn("sleep", "30");
    process.writeStdin(new byte[0], true).get(5, TimeUnit.SECONDS);

    assertThatThrownBy(() -> process.writeStdin("x".getBytes(), false).get(5, TimeUnit.SECONDS))
        .hasCauseInstanceOf(ProcessException.class)
        .cause()
        .satisfies(e -> assertThat(((ProcessException) e).kind()).isEqualTo(Kind.STDIN_CLOSED));
    process.signal(Signal.KILL);
    await().until(() -> !process.isRunning());
    assertThatThrownBy(() -> process.writeStdin("x".getBytes(), false))
        .isInstanceOfSatisfying(
            ProcessException.class, e -> assertThat(e.kind()).isEqualTo(Kind.PROCESS_EXITED));
    assertThatThrownBy(() -> process.signal(Signal.TERM))
        .isInstanceOfSatisfying(
            ProcessException.class, e -> assertThat(e.kind()).isEqualTo(Kind.PROCESS_EXITED));
  }

  @Test
  void eachSignalEndsTheProcessWith128PlusItsNumber() throws Exception {
    for (Signal signal :
        List.of(
            Signal.TERM,
            Signal.KILL,
            Signal.INT,
            Signal.HUP,
            Signal.QUIT,
            Signal.USR1,
            Signal.USR2)) {
      SpawnedProcess process = spawn("sleep", "30");
      Collector output = read(process);

      process.signal(signal);

      ExitStatus status = exitOf(output.done.get(10, TimeUnit.SECONDS));
      assertThat(status.exitCode()).as(signal.name()).isEqualTo(128 + signal.number());
      assertThat(status.signalName()).contains(signal.fullName());
    }
  }

  @Test
  void stopAndContinueSuspendAndResumeTheGroup() throws Exception {
    SpawnedProcess process = spawn("sleep 2; echo resumed");
    Collector output = read(process);
    // A STOP that came before the shell's fork would find the shell alone in the group.
    await().until(() -> ExecFixture.groupStates(process.pid()).length() == 2);

    process.signal(Signal.STOP);
    // The shell and its sleep are both stopped: the signal reached the whole group.
    await().until(() -> ExecFixture.groupStates(process.pid()).equals("TT"));
    assertThat(process.isRunning()).as("still running, but stopped").isTrue();
    assertThat(stdout(output.events)).isEmpty();
    process.signal(Signal.CONT);

    assertThat(stdout(output.done.get(10, TimeUnit.SECONDS))).isEqualTo("resumed\n");
  }

  @Test
  void theTimeoutEndsTheWholeGroupGrandchildrenIncluded() throws Exception {
    SpawnedProcess process = spawn(fixture.command("sleep 60 & echo $!; wait").timeoutSeconds(1));
    Collector output = read(process);

    List<OutputEvent> events = output.done.get(20, TimeUnit.SECONDS);

    int grandchild = Integer.parseInt(stdout(events).trim());
    assertThat(exitOf(events).signalName()).contains("SIGTERM");
    await().atMost(Duration.ofSeconds(5)).until(() -> !ExecFixture.alive(grandchild));
  }

  @Test
  void aTerminalHasTheRequestedSizeAndResizesWithSigwinch() throws Exception {
    SpawnedProcess shell = spawn(fixture.command("sh").terminal(new TerminalSize(30, 100)));
    Collector output = read(shell);

    shell
        .writeStdin(
            "trap 'echo winched' WINCH; test -t 0 && echo is-a-tty; stty size; tty\n".getBytes(),
            false)
        .get(5, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(10)).until(() -> stdout(output.events).contains("/dev/pts/"));
    shell.resize(new TerminalSize(50, 132)).get(5, TimeUnit.SECONDS);
    shell.writeStdin("stty size; exit 4\n".getBytes(), false).get(5, TimeUnit.SECONDS);

    List<OutputEvent> events = output.done.get(10, TimeUnit.SECONDS);
    String text = stdout(events);
    assertThat(text).contains("is-a-tty", "30 100", "winched", "50 132");
    assertThat(exitOf(events)).isEqualTo(ExitStatus.exited(4));
    assertThat(Collector.bytes(events, OutputEvent.Source.STDERR)).isEmpty();
  }

  @Test
  void aTerminalDefaultsTo24By80AndClosingStdinSendsEof() throws Exception {
    SpawnedProcess process =
        spawn(fixture.command("stty size; cat").terminal(new TerminalSize(24, 80)));
    Collector output = read(process);

    process.writeStdin(new byte[0], true).get(5, TimeUnit.SECONDS);

    List<OutputEvent> events = output.done.get(10, TimeUnit.SECONDS);
    assertThat(stdout(events)).startsWith("24 80");
    assertThat(exitOf(events)).isEqualTo(ExitStatus.exited(0));
  }

  @Test
  void resizingAProcessWithoutATerminalIsRefused() {
    SpawnedProcess process = spawn("sleep", "30");

    assertThatThrownBy(() -> process.resize(new TerminalSize(10, 10)))
        .isInstanceOfSatisfying(
            ProcessException.class, e -> assertThat(e.kind()).isEqualTo(Kind.NOT_A_TERMINAL));
  }

  @Test
  void usageShowsTheCpuOfABusyTreeAndTheMemoryItHolds() throws Exception {
    SpawnedProcess busy = spawn("sh -c 'while :; do :; done' & wait");
    SpawnedProcess idle = spawn("sleep", "30");
    SpawnedProcess holder =
        spawn("x=$(head -c 110000000 /dev/zero | tr '\\0' a); echo held; sleep 30");
    Collector held = read(holder);

    // A spinning shell gets a fair share of a core, even when every core is busy, once it runs;
    // a sleeping process gets none.
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> busy.usage().get(5, TimeUnit.SECONDS).cpuPercent() > 25);
    assertThat(idle.usage().get(5, TimeUnit.SECONDS).cpuPercent()).isLessThan(5);
    await().atMost(Duration.ofSeconds(20)).until(() -> stdout(held.events).contains("held"));
    assertThat(holder.usage().get(5, TimeUnit.SECONDS).memoryBytes())
        .isGreaterThanOrEqualTo(100L * 1024 * 1024);
  }

  @Test
  void theOwnerRunsAtMostItsLimitOfProcesses() throws Exception {
    SpawnedProcess first = spawn("sleep", "30");
    spawn("sleep", "30");
    spawn("sleep", "30");

    assertThatThrownBy(() -> spawn("true"))
        .isInstanceOfSatisfying(
            ProcessException.class, e -> assertThat(e.kind()).isEqualTo(Kind.TOO_MANY_PROCESSES));
    assertThatThrownBy(() -> fixture.run("true"))
        .isInstanceOfSatisfying(
            ProcessException.class, e -> assertThat(e.kind()).isEqualTo(Kind.TOO_MANY_PROCESSES));

    first.signal(Signal.KILL);
    await().until(() -> fixture.owner.running() == 2);
    assertThat(fixture.run("true").status().exitCode()).isZero();
  }

  @Test
  void exitedProcessesAreKeptForTheRetentionTimeAndCount() throws Exception {
    List<SpawnedProcess> processes = List.of(spawn("true"), spawn("true"), spawn("true"));
    await().until(() -> processes.stream().noneMatch(SpawnedProcess::isRunning));

    assertThat(fixture.owner.list())
        .extracting(SpawnedProcess::id)
        .containsExactly(processes.get(1).id(), processes.get(2).id());
    assertThat(fixture.owner.find(processes.get(0).id())).isEmpty();

    await().atMost(Duration.ofSeconds(5)).until(() -> fixture.owner.list().isEmpty());
    assertThat(fixture.owner.find(processes.get(2).id())).isEmpty();
  }
}
