package io.procgate.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.procgate.client.ApiClient;
import io.procgate.client.api.BrowserProcessesApi;
import io.procgate.client.model.BrowserCreateRequest;
import io.procgate.client.model.ProcessExecRequest;
import io.procgate.client.model.ProcessExecResult;
import io.procgate.client.model.ProcessSpawnRequest;
import io.procgate.client.model.ProcessStatus;
import io.procgate.client.stream.ProcessOutput;
import io.procgate.testing.MemoryBound;
import io.procgate.testing.Processes;
import io.procgate.testing.ServerProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Load on a server of its own, whose idle connections and idle worker threads go away within
 * seconds, so that "back to the level before" can be checked without waiting for the defaults.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(300)
class LoadIT {
  // The formula in docs/operations.md for this load: 200 processes with a 1 MiB output buffer, each
  // read by one
  // stream at a time.
  private static final MemoryBound BOUND = new MemoryBound().spawned(200, 1).streams(200);

  private ServerProcess server;

  @BeforeAll
  void start() throws Exception {
    Map<String, String> settings = ServerProcess.testSettings();
    // This load is about processes: sessions without a browser, whose start would outlast the
    // short idle timeout below on a machine this busy.
    settings.put("procgate.browser.executable", "/nonexistent/chromium");
    // Long enough that a slow reader, whose connection sees no write while its buffers are full,
    // is not taken for an idle one on a busy machine.
    settings.put("quarkus.http.idle-timeout", "10s");
    settings.put("quarkus.thread-pool.keep-alive-time", "2s");
    settings.put("procgate.spawn.output-buffer", "1M");
    settings.put("procgate.sessions.max-processes", "256");
    // All 200 stay retained until their slow readers have been through them.
    settings.put("procgate.spawn.retained-exited", "1000");
    server = ServerProcess.start(settings, List.of("-Xmx" + BOUND.heapMib() + "m"));
  }

  @AfterAll
  void stop() throws Exception {
    server.close();
  }

  @Test
  void fiveThousandExecsAtConcurrency64AreAllAnsweredAndLeaveNothingBehind() throws Exception {
    List<String> sessions = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      sessions.add(server.browsers().createBrowser(new BrowserCreateRequest()).getSessionId());
    }
    // One warm-up call per session, so the baseline below includes what a first call sets up.
    for (String session : sessions) {
      server.processes().processExec(session, new ProcessExecRequest().command("true"));
    }
    long fdsBefore = descriptors();
    long threadsBefore = threads();

    Set<String> answered = ConcurrentHashMap.newKeySet();
    AtomicInteger wrong = new AtomicInteger();
    AtomicInteger next = new AtomicInteger();
    ExecutorService callers = Executors.newFixedThreadPool(64);
    List<Future<?>> done = new ArrayList<>();
    for (int t = 0; t < 64; t++) {
      BrowserProcessesApi processes = new BrowserProcessesApi(server.client());
      done.add(
          callers.submit(
              () -> {
                for (int call = next.getAndIncrement();
                    call < 5000;
                    call = next.getAndIncrement()) {
                  String token = "call-" + call;
                  ProcessExecResult result =
                      processes.processExec(
                          sessions.get(call % sessions.size()),
                          new ProcessExecRequest().command("/bin/echo").args(List.of(token)));
                  String stdout =
                      new String(
                          Base64.getDecoder().decode(result.getStdoutB64()),
                          StandardCharsets.UTF_8);
                  if (result.getExitCode() != 0
                      || !stdout.equals(token + "\n")
                      || !answered.add(token)) {
                    wrong.incrementAndGet();
                  }
                }
                return null;
              }));
    }
    for (Future<?> f : done) {
      f.get();
    }
    callers.shutdown();

    assertThat(wrong).hasValue(0);
    assertThat(answered).hasSize(5000);
    await().atMost(Duration.ofSeconds(10)).until(() -> zombieChildren() == 0);
    assertThat(processesOfSessions(sessions)).as("processes of these sessions left").isEmpty();
    await().atMost(Duration.ofSeconds(60)).until(() -> descriptors() <= fdsBefore);
    await().atMost(Duration.ofSeconds(60)).until(() -> threads() <= threadsBefore);
    for (String session : sessions) {
      server.browsers().deleteBrowser(session);
    }
  }

  @Test
  void twoHundredSpawnsWithSlowReadersNeitherBlockNorOutgrowTheMemoryBound() throws Exception {
    String session = server.browsers().createBrowser(new BrowserCreateRequest()).getSessionId();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      ids.add(
          server
              .processes()
              .processSpawn(
                  session,
                  new ProcessSpawnRequest().command("head -c 4194304 /dev/urandom; sleep 1"))
              .getProcessId()
              .toString());
    }
    AtomicLong peak = new AtomicLong(rss());
    AtomicLong received = new AtomicLong();
    ExecutorService readers = Executors.newFixedThreadPool(200);
    List<Future<?>> reading = new ArrayList<>();
    for (String id : ids) {
      reading.add(
          readers.submit(
              () -> {
                ApiClient api = server.client();
                try (ProcessOutput output = ProcessOutput.open(api, session, id, null)) {
                  for (Optional<ProcessOutput.Event> e = output.next();
                      e.isPresent();
                      e = output.next()) {
                    if (e.get().data().getDataB64() != null) {
                      received.addAndGet(
                          Base64.getDecoder().decode(e.get().data().getDataB64()).length);
                    }
                    Thread.sleep(20);
                  }
                }
                return null;
              }));
    }

    // No process waits for its slow reader: all of them finish while the readers still read.
    await()
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              peak.accumulateAndGet(rss(), Math::max);
              return server.processes().processList(session).stream()
                  .allMatch(
                      p -> p.getState() == io.procgate.client.model.ProcessInfo.StateEnum.EXITED);
            });
    boolean readersStillReading = reading.stream().anyMatch(f -> !f.isDone());
    for (Future<?> f : reading) {
      peak.accumulateAndGet(rss(), Math::max);
      f.get(240, TimeUnit.SECONDS);
    }
    readers.shutdown();

    assertThat(readersStillReading).as("the processes ended before their slow readers").isTrue();
    // Every stream went through within the heap the formula gives: no OutOfMemoryError.
    assertThat(server.log()).doesNotContain("OutOfMemoryError").doesNotContain("ERROR");
    assertThat(peak.get())
        .as("peak RSS, bound " + BOUND.describe())
        .isLessThanOrEqualTo(BOUND.residentBytes());
    assertThat(received.get()).isPositive();
    ProcessStatus status = server.processes().processStatus(session, ids.get(0));
    assertThat(status.getExitCode()).isZero();
    server.browsers().deleteBrowser(session);
  }

  private long descriptors() throws Exception {
    try (Stream<Path> fds = Files.list(Path.of("/proc/" + server.pid() + "/fd"))) {
      return fds.count();
    }
  }

  private long threads() {
    try (Stream<Path> tasks = Files.list(Path.of("/proc/" + server.pid() + "/task"))) {
      return tasks.count();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private long rss() {
    return Processes.rss(server.pid());
  }

  private long zombieChildren() {
    return Processes.all().stream()
        .filter(p -> p.ppid() == server.pid() && p.state() == 'Z')
        .count();
  }

  /** Processes whose environment names one of {@code sessions}: they can only be ours. */
  static List<Long> processesOfSessions(List<String> sessions) {
    List<Long> found = new ArrayList<>();
    for (Processes.Stat process : Processes.all()) {
      try {
        String environ =
            Files.readString(
                Path.of("/proc/" + process.pid() + "/environ"), StandardCharsets.ISO_8859_1);
        for (String session : sessions) {
          if (environ.contains("PROCGATE_SESSION_ID=" + session)) {
            found.add(process.pid());
          }
        }
      } catch (Exception gone) {
        // Exited while we looked, or a kernel thread.
      }
    }
    return found;
  }
}
