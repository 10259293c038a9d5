package io.procgate.bench;

import io.procgate.client.model.BrowserCreateRequest;
import io.procgate.client.model.ProcessExecRequest;
import io.procgate.testing.MemoryBound;
import io.procgate.testing.Processes;
import io.procgate.testing.ServerProcess;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/** Row 5: start to first exec, and resident memory idle and under load. */
final class StartAndMemory {
  private static final int MIB = 1024 * 1024;
  private static final int LOAD_CONCURRENCY = 64;
  // The formula in docs/operations.md for this load: 64 execs at once, each capturing 1 MiB.
  private static final MemoryBound BOUND = new MemoryBound().execs(LOAD_CONCURRENCY, 1);

  private final double startSeconds;
  private final double jvmStartSeconds;
  private final long idleRss;
  private final long jvmIdleRss;
  private long loadIdleRss;
  private long loadRss;

  private StartAndMemory(
      double startSeconds, double jvmStartSeconds, long idleRss, long jvmIdleRss) {
    this.startSeconds = startSeconds;
    this.jvmStartSeconds = jvmStartSeconds;
    this.idleRss = idleRss;
    this.jvmIdleRss = jvmIdleRss;
  }

  static StartAndMemory measure(Map<String, String> settings) throws Exception {
    double[] starts = new double[3];
    double[] jvmStarts = new double[3];
    long idle = 0;
    long jvmIdle = 0;
    for (int i = 0; i < starts.length; i++) {
      long t0 = System.nanoTime();
      try (ServerProcess server = ServerProcess.startWithoutWaiting(settings)) {
        String session = null;
        while (true) {
          try {
            if (session == null) {
              session = server.browsers().createBrowser(new BrowserCreateRequest()).getSessionId();
            }
            server.processes().processExec(session, new ProcessExecRequest().command("/bin/true"));
            break;
          } catch (Exception notYet) {
            Thread.sleep(5);
          }
        }
        starts[i] = (System.nanoTime() - t0) / 1e9;
        Thread.sleep(2000);
        idle = Processes.rss(server.pid());
      }
      long j0 = System.nanoTime();
      Process jvm =
          new ProcessBuilder(
                  ProcessHandle.current().info().command().orElse("java"),
                  "-cp",
                  System.getProperty("java.class.path"),
                  IdleJvm.class.getName(),
                  "3000")
              .start();
      jvm.getInputStream().read();
      jvmStarts[i] = (System.nanoTime() - j0) / 1e9;
      Thread.sleep(2000);
      jvmIdle = Processes.rss(jvm.pid());
      jvm.destroy();
      jvm.waitFor();
    }
    return new StartAndMemory(Benchmark.median(starts), Benchmark.median(jvmStarts), idle, jvmIdle);
  }

  /**
   * Runs 64 concurrent execs of 1 MiB of stdout each on a server whose heap is set from the
   * formula, and records its resident memory before and at the peak.
   */
  void underLoad(Map<String, String> settings, Path oneMib) throws Exception {
    try (ServerProcess server =
        ServerProcess.start(settings, List.of("-Xmx" + BOUND.heapMib() + "m"))) {
      Benchmark.Clients clients = new Benchmark.Clients(server, LOAD_CONCURRENCY);
      clients.echo(0);
      loadIdleRss = Processes.rss(server.pid());
      AtomicBoolean running = new AtomicBoolean(true);
      AtomicLong peak = new AtomicLong();
      Thread sampler =
          new Thread(
              () -> {
                while (running.get()) {
                  peak.accumulateAndGet(Processes.rss(server.pid()), Math::max);
                  try {
                    Thread.sleep(20);
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              });
      sampler.setDaemon(true);
      sampler.start();
      ExecutorService pool = Executors.newFixedThreadPool(LOAD_CONCURRENCY);
      try {
        AtomicLong left = new AtomicLong(2000);
        ProcessExecRequest cat =
            new ProcessExecRequest().command("/bin/cat").args(List.of(oneMib.toString()));
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < LOAD_CONCURRENCY; t++) {
          int client = t;
          done.add(
              pool.submit(
                  () -> {
                    while (left.getAndDecrement() > 0) {
                      long total = clients.exec(client, cat).getStdoutTotalBytes();
                      if (total != MIB) {
                        throw new IllegalStateException("1 MiB exec returned " + total + " bytes");
                      }
                    }
                    return null;
                  }));
        }
        for (Future<?> f : done) {
          f.get();
        }
      } finally {
        pool.shutdownNow();
        running.set(false);
      }
      sampler.join();
      loadRss = peak.get();
    }
  }

  void report(List<String> rows) {
    rows.add(
        Benchmark.formatRow(
            "5",
            "server start to first successful exec",
            seconds(startSeconds),
            "idle JVM start " + seconds(jvmStartSeconds),
            startSeconds / jvmStartSeconds,
            "< 2 s"));
    rows.add(
        Benchmark.formatRow(
            "5",
            "server RSS, idle",
            mib(idleRss),
            "idle JVM " + mib(jvmIdleRss),
            (double) idleRss / jvmIdleRss,
            ""));
    long bound = BOUND.residentBytes();
    rows.add(
        Benchmark.formatRow(
            "5",
            "server RSS, 64 concurrent execs of 1 MiB stdout",
            mib(loadRss) + " (before: " + mib(loadIdleRss) + ")",
            "bound: " + BOUND.describe() + " = " + mib(bound),
            (double) loadRss / bound,
            "≤ 1x"));
  }

  private static String seconds(double s) {
    return String.format(Locale.ROOT, "%.2f s", s);
  }

  private static String mib(long bytes) {
    return String.format(Locale.ROOT, "%.0f MiB", bytes / (double) MIB);
  }
}
