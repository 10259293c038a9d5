package io.procgate.bench;

import io.procgate.client.api.BrowserProcessesApi;
import io.procgate.client.model.BrowserCreateRequest;
import io.procgate.client.model.ProcessExecRequest;
import io.procgate.testing.ServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Row 9: the first 1,000 execs a freshly started server answers, as its first user meets it, next
 * to the C loop. Started as docs/operations.md starts it (this JVM, with the class data archive),
 * and, where a Java 25 is installed, with a JDK AOT cache recorded by a training run.
 */
final class FirstCalls {
  private static final int CALLS = 1000;
  private static final int STARTS = 3;
  private static final int TRAINING_CALLS = 5000;
  private static final ProcessExecRequest ECHO =
      new ProcessExecRequest().command("/bin/echo").args(List.of("hello"));

  private final Map<String, String> settings;
  private final NativeBaseline c;
  private final NodeClient node;
  private final Path work;

  FirstCalls(Map<String, String> settings, NativeBaseline c, NodeClient node, Path work) {
    this.settings = settings;
    this.c = c;
    this.node = node;
    this.work = work;
  }

  /** The rows, and a chart of the calls in order, from the start with the median p50. */
  void measure(List<String> rows, Path charts) throws Exception {
    LineChart chart =
        new LineChart(
            "The first 1,000 execs after start, Java client", "call", "ms, median of 50 calls");
    Path java = Path.of(ProcessHandle.current().info().command().orElse("java"));
    String version = "Java " + Runtime.version().feature() + ", class data archive";
    double cP50 = measure(rows, chart, version, java, List.of());
    Path java25 =
        Path.of(
            System.getProperty(
                "procgate.bench.java25", "/usr/lib/jvm/temurin-25-jdk-amd64/bin/java"));
    if (Files.isExecutable(java25)) {
      Path cache = train(java25);
      measure(rows, chart, "Java 25, AOT cache", java25, List.of("-XX:AOTCache=" + cache));
    }
    chart.add(
        new LineChart.Series(
            "C posix_spawn, p50", new double[] {0, CALLS}, new double[] {cP50, cP50}));
    chart.write(charts.resolve("first-calls.png"));
  }

  /** Measures one runtime's rows and adds its line to {@code chart}; answers the C loop's p50. */
  private double measure(
      List<String> rows, LineChart chart, String runtime, Path java, List<String> options)
      throws Exception {
    Latencies[] javaCalls = new Latencies[STARTS];
    double[] javaClient = new double[STARTS];
    double[] nodeClient = new double[STARTS];
    double[] spawns = new double[STARTS];
    for (int i = 0; i < STARTS; i++) {
      try (ServerProcess server = ServerProcess.start(java, settings, options)) {
        javaCalls[i] = javaClientCalls(server);
        javaClient[i] = javaCalls[i].percentileMillis(50);
      }
      try (ServerProcess server = ServerProcess.start(java, settings, options)) {
        String session = server.browsers().createBrowser(new BrowserCreateRequest()).getSessionId();
        nodeClient[i] = node.run("http", "exec", server, session, 0, CALLS, 1).p50Millis();
      }
      spawns[i] = c.spawnLoop(CALLS, 1, "/bin/echo", "hello").p50Millis();
    }
    double cP50 = Benchmark.median(spawns);
    rows.add(
        NodeRows.row(
            "9",
            "first 1,000 execs after start, p50, Java client (" + runtime + ")",
            Benchmark.median(javaClient),
            "C posix_spawn",
            cP50,
            "≤ 2x"));
    rows.add(
        NodeRows.row(
            "9",
            "first 1,000 execs after start, p50, Node `http` (" + runtime + ")",
            Benchmark.median(nodeClient),
            "C posix_spawn",
            cP50,
            "≤ 2x"));
    double median = Benchmark.median(javaClient);
    for (Latencies calls : javaCalls) {
      if (calls.percentileMillis(50) == median) {
        chart.add(calls.movingMedian(runtime, 50));
        break;
      }
    }
    return cP50;
  }

  private static Latencies javaClientCalls(ServerProcess server) throws Exception {
    String session = server.browsers().createBrowser(new BrowserCreateRequest()).getSessionId();
    BrowserProcessesApi processes = new BrowserProcessesApi(server.client());
    Latencies latencies = new Latencies(CALLS);
    for (int i = 0; i < CALLS; i++) {
      long t0 = System.nanoTime();
      processes.processExec(session, ECHO);
      latencies.add(System.nanoTime() - t0);
    }
    return latencies;
  }

  /** A training run that records the cache as the server exits: execs from both clients. */
  private Path train(Path java) throws Exception {
    Path cache = work.resolve("procgate.aot");
    Files.deleteIfExists(cache);
    List<String> options = new ArrayList<>(List.of("-XX:AOTCacheOutput=" + cache));
    try (ServerProcess server = ServerProcess.start(java, settings, options)) {
      String session = server.browsers().createBrowser(new BrowserCreateRequest()).getSessionId();
      BrowserProcessesApi processes = new BrowserProcessesApi(server.client());
      for (int i = 0; i < TRAINING_CALLS; i++) {
        processes.processExec(session, ECHO);
      }
      node.run("http", "exec", server, session, 0, TRAINING_CALLS, 1);
    }
    if (!Files.exists(cache)) {
      throw new IllegalStateException("the training run left no AOT cache at " + cache);
    }
    return cache;
  }
}
