package io.procgate.bench;

import io.procgate.client.ApiClient;
import io.procgate.client.ProcgateClient;
import io.procgate.client.api.BrowserProcessesApi;
import io.procgate.client.api.BrowsersApi;
import io.procgate.client.model.BrowserCreateRequest;
import io.procgate.client.model.ProcessExecRequest;
import io.procgate.client.model.ProcessExecResult;
import io.procgate.client.model.ProcessSpawnRequest;
import io.procgate.client.model.ProcessStreamEvent;
import io.procgate.client.stream.ProcessOutput;
import io.procgate.testing.ServerProcess;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Puts procgate next to spawning the same commands directly, measured in the same run, and prints
 * one markdown table. Run with {@code ./mvnw -Pbenchmark verify}.
 *
 * <p>The baselines give their children the environment procgate gives its own (a clean base with
 * {@code LANG=C.UTF-8}), so both sides run the very same child. Latencies are taken in rounds that
 * alternate between procgate and the baselines, so drift of the machine hits both alike.
 */
public final class Benchmark {
  private static final int CALLS = 3000;
  private static final int ROUNDS = 3;
  // Rows 3 and 4 first run a few times unmeasured: the JIT and the heap size settle on their paths.
  private static final int WARM_UP_RUNS = 3;
  private static final int MIB = 1024 * 1024;

  private final Path work;
  private final Path charts;
  private final List<String> rows = new ArrayList<>();
  private NativeBaseline c;
  private NodeClient node;

  private Benchmark(Path work, Path charts) {
    this.work = work;
    this.charts = charts;
  }

  /** Writes the table to {@code procgate.bench.report}, and its charts as PNGs beside it. */
  public static void main(String[] args) throws Exception {
    Path work = Files.createTempDirectory("procgate-bench");
    Path report =
        Path.of(System.getProperty("procgate.bench.report", "target/benchmark.md"))
            .toAbsolutePath();
    Files.createDirectories(report.getParent());
    Benchmark benchmark = new Benchmark(work, report.getParent());
    benchmark.run();
    String table = benchmark.table();
    System.out.println(table);
    Files.writeString(report, table);
  }

  private void run() throws Exception {
    Path file16 = wanted("3") ? randomFile("stdout-16m", 16 * MIB) : null;
    Path file256 = wanted("4") || wanted("8") ? randomFile("stream-256m", 256 * MIB) : null;
    Path file1 = wanted("5") ? randomFile("load-1m", MIB) : null;
    Map<String, String> settings = ServerProcess.testSettings();
    settings.put("procgate.exec.default-timeout", "120s");
    settings.put("procgate.exec.output-cap", "16M");
    settings.put("procgate.spawn.output-buffer", "300M");
    // Row 4's finished processes need not keep their 256 MiB each.
    settings.put("procgate.spawn.retained-exited", "1");
    settings.put("procgate.sessions.max-processes", "128");

    StartAndMemory start = wanted("5") ? StartAndMemory.measure(settings) : null;
    Path java25 =
        Path.of(
            System.getProperty(
                "procgate.bench.java25", "/usr/lib/jvm/temurin-25-jdk-amd64/bin/java"));
    measure("10", "distribution start", () -> new DistributionStart(work, java25).measure(rows));
    try (ServerProcess server = ServerProcess.start(settings)) {
      Clients clients = new Clients(server, 64);
      // The baselines' children get the very environment the server gives its own.
      c = NativeBaseline.compile(work, clients.childEnvironment());
      node = NodeClient.extract(work);
      if (wanted("1") || wanted("2")) {
        warmUp(clients);
      }
      NodeRows fromNode = new NodeRows(server, clients.session(0), c, node);
      measure("1", "exec latency", () -> latency(clients));
      measure("1", "exec latency from Node", () -> fromNode.latency(rows));
      measure("2", "exec throughput", () -> throughput(clients));
      measure("2", "exec throughput from Node", () -> fromNode.throughput(rows));
      measure("2", "CPU per exec", () -> cpuPerExec(clients, server.pid()));
      measure("3", "exec with 16 MiB stdout", () -> bigExec(clients, file16));
      measure("4", "256 MiB through SSE", () -> stream(clients, file256));
      // Chromium's own port, row 6's baseline, is on the host's loopback only without isolation.
      Map<String, String> withoutIsolation = new java.util.HashMap<>(settings);
      withoutIsolation.put("procgate.isolation.users", "false");
      withoutIsolation.put("procgate.isolation.network", "false");
      try (ServerProcess open =
          wanted("6") || wanted("13") ? ServerProcess.start(withoutIsolation) : null) {
        measure("6", "browser", () -> new BrowserRows(open, work).measure(rows));
        measure("13", "isolation", () -> new IsolationRows(clients, server, open).measure(rows));
      }
      measure("7", "containment", () -> new ContainmentRows(clients, settings).measure(rows));
      measure("8", "files", () -> new FileRows(server, clients, file256).measure(rows));
      measure("12", "computer controls", () -> new ComputerRows(server).measure(rows));
    }
    measure("11", "control plane", () -> new ClusterRows(settings).measure(rows));
    measure(
        "9", "first calls", () -> new FirstCalls(settings, c, node, work).measure(rows, charts));
    if (start != null) {
      measure("5", "memory under load", () -> start.underLoad(settings, file1));
      start.report(rows);
    }
  }

  /** Whether row {@code number} is to be measured: all of them unless -Dprocgate.bench.rows=3,6. */
  private static boolean wanted(String number) {
    String only = System.getProperty("procgate.bench.rows", "");
    return only.isBlank() || List.of(only.split(",")).contains(number);
  }

  private interface Measurement {
    void run() throws Exception;
  }

  /** Runs one measurement; a failure becomes a row that says so, and the others still run. */
  private void measure(String number, String what, Measurement measurement) {
    if (!wanted(number)) {
      return;
    }
    int before = rows.size();
    try {
      measurement.run();
    } catch (Exception e) {
      rows.add("| " + number + " | " + what + " | failed: " + e + " | | | |");
    }
    List.copyOf(rows.subList(before, rows.size())).forEach(System.err::println);
  }

  private Path randomFile(String name, int size) throws Exception {
    Path file = work.resolve(name);
    byte[] chunk = new byte[MIB];
    SecureRandom random = new SecureRandom();
    try (var out = Files.newOutputStream(file)) {
      for (int written = 0; written < size; written += chunk.length) {
        random.nextBytes(chunk);
        out.write(chunk, 0, Math.min(chunk.length, size - written));
      }
    }
    return file;
  }

  private void warmUp(Clients clients) throws Exception {
    // The JIT needs many thousand calls to settle on a two-core machine; measuring earlier measures
    // it.
    long deadline = System.nanoTime() + 30_000_000_000L;
    int calls = 0;
    while (System.nanoTime() < deadline || calls < 20_000) {
      clients.echo(0);
      calls++;
    }
    concurrent(clients, 8, 4000);
    concurrent(clients, 64, 4000);
    c.spawnLoop(2000, 1, "/bin/echo", "hello");
  }

  private void latency(Clients clients) throws Exception {
    Latencies ours = new Latencies(CALLS);
    Latencies builder = new Latencies(CALLS);
    List<NativeBaseline.Spawns> native1 = new ArrayList<>();
    ProcessBuilderLoop processBuilder = new ProcessBuilderLoop(c.environment());
    processBuilder.run(500, null);
    for (int round = 0; round < ROUNDS; round++) {
      for (int i = 0; i < CALLS / ROUNDS; i++) {
        long t0 = System.nanoTime();
        clients.echo(0);
        ours.add(System.nanoTime() - t0);
      }
      native1.add(c.spawnLoop(CALLS / ROUNDS, 1, "/bin/echo", "hello"));
      processBuilder.run(CALLS / ROUNDS, builder);
    }
    double cP50 = median(native1.stream().mapToDouble(NativeBaseline.Spawns::p50Millis).toArray());
    double cP99 = median(native1.stream().mapToDouble(NativeBaseline.Spawns::p99Millis).toArray());
    new LineChart("exec /bin/echo hello, warm, one call at a time", "percentile", "ms")
        .add(ours.percentiles("procgate exec, Java client"))
        .add(
            Latencies.of(native1.stream().map(NativeBaseline.Spawns::calls).toList())
                .percentiles("C posix_spawn with pipes, the same command"))
        .write(charts.resolve("exec-latency.png"));
    latencyRow(ours, 50, "C posix_spawn", cP50, "≤ 1.5x");
    latencyRow(ours, 99, "C posix_spawn", cP99, "≤ 3x");
    latencyRow(ours, 50, "Java ProcessBuilder", builder.percentileMillis(50), "");
    latencyRow(ours, 99, "Java ProcessBuilder", builder.percentileMillis(99), "");

    // The floor of any exec over this client: the C spawn and a round trip that does nothing.
    BrowsersApi browsers = new BrowsersApi(clients.api(0));
    Latencies get = new Latencies(CALLS);
    for (int i = 0; i < NodeRows.GET_WARM_UP + CALLS; i++) {
      long t0 = System.nanoTime();
      browsers.getBrowser(clients.session(0));
      if (i >= NodeRows.GET_WARM_UP) {
        get.add(System.nanoTime() - t0);
      }
    }
    double floor = cP50 + get.percentileMillis(50);
    latencyRow(ours, 50, "its GET of the session", get.percentileMillis(50), "");
    row(
        "1",
        "floor of an exec over the Java client: C spawn + its GET",
        ms(floor),
        "C posix_spawn " + ms(cP50),
        floor / cP50,
        "");
    latencyRow(ours, 50, "that floor", floor, "");
  }

  private void latencyRow(
      Latencies ours, int percentile, String baseline, double baselineMillis, String target) {
    double millis = ours.percentileMillis(percentile);
    row(
        "1",
        "exec `/bin/echo hello`, p" + percentile,
        ms(millis),
        baseline + " " + ms(baselineMillis),
        millis / baselineMillis,
        target);
  }

  private void throughput(Clients clients) throws Exception {
    for (int concurrency : new int[] {1, 8, 64}) {
      double ours = 0;
      double base = 0;
      for (int round = 0; round < ROUNDS; round++) {
        ours += concurrent(clients, concurrency, CALLS / ROUNDS);
        base += c.spawnLoop(CALLS / ROUNDS, concurrency, "/bin/echo", "hello").callsPerSecond();
      }
      row(
          "2",
          "exec throughput, concurrency " + concurrency,
          perSecond(ours / ROUNDS),
          "C posix_spawn " + perSecond(base / ROUNDS),
          ours / base,
          concurrency == 1 ? "" : "≥ 0.7x");
    }
  }

  /**
   * Where the CPU goes at concurrency 8, the server's own threads, the children it spawns, and the
   * benchmark's client, next to what the C loop and its children use per spawn; the server's share
   * split by its threads. On a machine whose cores the client shares, the throughput of row 2 is
   * about the cores over this sum.
   */
  private void cpuPerExec(Clients clients, long serverPid) throws Exception {
    int calls = CALLS;
    CpuTime server0 = CpuTime.of(serverPid);
    ThreadCpu threads0 = ThreadCpu.of(serverPid);
    CpuTime client0 = CpuTime.ofThisProcess();
    concurrent(clients, 8, calls);
    CpuTime server = CpuTime.of(serverPid).since(server0);
    ThreadCpu threads = ThreadCpu.of(serverPid).since(threads0);
    CpuTime client = CpuTime.ofThisProcess().since(client0);
    CpuTime before = CpuTime.ofThisProcess();
    NativeBaseline.Spawns spawns = c.spawnLoop(calls, 8, "/bin/echo", "hello");
    double cLoop = micros(CpuTime.ofThisProcess().since(before).childrenNanos(), calls);
    double serverOwn = micros(server.ownNanos(), calls);
    double children = micros(server.childrenNanos(), calls);
    double clientOwn = micros(client.ownNanos(), calls);
    double total = serverOwn + children + clientOwn;
    String baseline = String.format(Locale.ROOT, "C loop and its children %.0f µs", cLoop);
    row(
        "2",
        "CPU per exec at concurrency 8: server + its children + client",
        String.format(
            Locale.ROOT, "%.0f µs = %.0f + %.0f + %.0f", total, serverOwn, children, clientOwn),
        baseline,
        total / cLoop,
        "");
    StringBuilder split = new StringBuilder(String.format(Locale.ROOT, "%.0f µs =", serverOwn));
    for (ThreadCpu.Kind kind : ThreadCpu.Kind.values()) {
      split.append(
          String.format(
              Locale.ROOT, " %s %.0f +", kind.label, micros(threads.nanos().get(kind), calls)));
    }
    split.append(
        String.format(Locale.ROOT, " other %.0f", serverOwn - micros(threads.total(), calls)));
    row(
        "2",
        "the server's share of it, by thread",
        split.toString(),
        baseline,
        serverOwn / cLoop,
        "");
    // What a server that used no CPU at all would reach on these cores, which its children and the
    // client share: the bound on row 2's throughput that no work in the server can move.
    double ceiling = Runtime.getRuntime().availableProcessors() * 1e6 / (children + clientOwn);
    row(
        "2",
        "throughput bound at concurrency 8 of a server that cost no CPU: cores / (children + client)",
        perSecond(ceiling),
        "C posix_spawn " + perSecond(spawns.callsPerSecond()),
        ceiling / spawns.callsPerSecond(),
        "");
  }

  private static double micros(long nanos, int calls) {
    return nanos / 1e3 / calls;
  }

  /** Calls per second of {@code calls} echo executions spread over {@code concurrency} threads. */
  private static double concurrent(Clients clients, int concurrency, int calls) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(concurrency);
    try {
      AtomicLong left = new AtomicLong(calls);
      long t0 = System.nanoTime();
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < concurrency; t++) {
        int client = t;
        done.add(
            pool.submit(
                () -> {
                  while (left.getAndDecrement() > 0) {
                    clients.echo(client);
                  }
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get();
      }
      return calls / ((System.nanoTime() - t0) / 1e9);
    } finally {
      pool.shutdownNow();
    }
  }

  private void bigExec(Clients clients, Path file) throws Exception {
    againstPipe(
        "3",
        "exec with 16 MiB stdout, end to end decoded",
        file,
        16,
        9,
        () -> bigExecSeconds(clients, file));
  }

  interface Run {
    double seconds() throws Exception;
  }

  /**
   * A row of MiB per second: {@code runs} of ours, each next to reading the same file through a
   * pipe, after a few unmeasured ones for the JIT and the heap to settle.
   */
  private void againstPipe(String number, String measure, Path file, int mib, int runs, Run ours)
      throws Exception {
    for (int i = 0; i < WARM_UP_RUNS; i++) {
      ours.seconds();
    }
    double[] oursSeconds = new double[runs];
    double[] pipeSeconds = new double[runs];
    for (int i = 0; i < runs; i++) {
      oursSeconds[i] = ours.seconds();
      pipeSeconds[i] = c.pipeSeconds("/bin/cat", file.toString());
    }
    double oursRate = mib / median(oursSeconds);
    double pipeRate = mib / median(pipeSeconds);
    row(
        number,
        measure,
        mibPerSecond(oursRate),
        "pipe read " + mibPerSecond(pipeRate),
        oursRate / pipeRate,
        "≥ 0.5x");
  }

  private static double bigExecSeconds(Clients clients, Path file) throws Exception {
    long t0 = System.nanoTime();
    ProcessExecResult result =
        clients.exec(
            0, new ProcessExecRequest().command("/bin/cat").args(List.of(file.toString())));
    byte[] stdout = Base64.getDecoder().decode(result.getStdoutB64());
    double seconds = (System.nanoTime() - t0) / 1e9;
    if (stdout.length != 16 * MIB || Boolean.TRUE.equals(result.getStdoutTruncated())) {
      throw new IllegalStateException("16 MiB exec returned " + stdout.length + " bytes");
    }
    return seconds;
  }

  private void stream(Clients clients, Path file) throws Exception {
    againstPipe(
        "4",
        "spawn writing 256 MiB, SSE to one reader, decoded",
        file,
        256,
        5,
        () -> streamSeconds(clients, file));
  }

  private static double streamSeconds(Clients clients, Path file) throws Exception {
    long t0 = System.nanoTime();
    String process =
        clients
            .processes(0)
            .processSpawn(
                clients.session(0),
                new ProcessSpawnRequest().command("/bin/cat").args(List.of(file.toString())))
            .getProcessId()
            .toString();
    long bytes = 0;
    try (ProcessOutput output =
        ProcessOutput.open(clients.api(0), clients.session(0), process, null)) {
      for (Optional<ProcessOutput.Event> e = output.next(); e.isPresent(); e = output.next()) {
        ProcessStreamEvent event = e.get().data();
        if (event.getDroppedBytes() != null) {
          throw new IllegalStateException("the stream dropped output; raise the output buffer");
        }
        if (event.getDataB64() != null) {
          bytes += Base64.getDecoder().decode(event.getDataB64()).length;
        }
      }
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    if (bytes != 256L * MIB) {
      throw new IllegalStateException("the stream carried " + bytes + " bytes");
    }
    return seconds;
  }

  private void row(
      String number, String measure, String ours, String baseline, double ratio, String target) {
    rows.add(formatRow(number, measure, ours, baseline, ratio, target));
  }

  static String formatRow(
      String number, String measure, String ours, String baseline, double ratio, String target) {
    return "| "
        + number
        + " | "
        + measure
        + " | "
        + ours
        + " | "
        + baseline
        + " | "
        + String.format(Locale.ROOT, "%.2fx", ratio)
        + " | "
        + target
        + " |";
  }

  private String table() {
    String machine =
        Runtime.getRuntime().availableProcessors()
            + " cores, "
            + Math.round(totalMemoryGib())
            + " GiB, "
            + System.getProperty("os.name")
            + " "
            + System.getProperty("os.version")
            + ", Java "
            + Runtime.version().feature();
    return "Benchmark of "
        + LocalDate.now()
        + " on "
        + machine
        + "\n\n"
        + "| # | measure | procgate | baseline (same run) | ratio | target |\n"
        + "|---|---|---|---|---|---|\n"
        + String.join("\n", rows)
        + "\n";
  }

  private static double totalMemoryGib() {
    try {
      String line = Files.readAllLines(Path.of("/proc/meminfo")).get(0);
      return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0 / 1024.0;
    } catch (Exception e) {
      return 0;
    }
  }

  static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  static String ms(double millis) {
    return String.format(Locale.ROOT, "%.3f ms", millis);
  }

  static String perSecond(double rate) {
    return String.format(Locale.ROOT, "%.0f/s", rate);
  }

  static String mibPerSecond(double rate) {
    return String.format(Locale.ROOT, "%.0f MiB/s", rate);
  }

  /** One generated client per concurrent caller, over eight sessions, as a tuned user runs it. */
  static final class Clients {
    private final ApiClient[] apis;
    private final BrowserProcessesApi[] processes;
    private final String[] sessions = new String[8];

    Clients(ServerProcess server, int count) throws Exception {
      apis = new ApiClient[count];
      processes = new BrowserProcessesApi[count];
      for (int i = 0; i < count; i++) {
        // No hand-off to a pool thread for each response.
        ApiClient api =
            ProcgateClient.create(
                server.baseUri(), server.token(), HttpClient.newBuilder().executor(Runnable::run));
        apis[i] = api;
        processes[i] = new BrowserProcessesApi(api);
      }
      for (int i = 0; i < sessions.length; i++) {
        // Rows that use only some of them must not see the others expire.
        sessions[i] =
            server
                .browsers()
                .createBrowser(new BrowserCreateRequest().timeoutSeconds(3600))
                .getSessionId();
      }
    }

    /** What {@code env} prints when the server runs it: every variable a child gets. */
    Map<String, String> childEnvironment() throws Exception {
      ProcessExecResult env = exec(0, new ProcessExecRequest().command("/usr/bin/env"));
      Map<String, String> variables = new java.util.TreeMap<>();
      new String(
              Base64.getDecoder().decode(env.getStdoutB64()),
              java.nio.charset.StandardCharsets.UTF_8)
          .lines()
          .forEach(
              line ->
                  variables.put(
                      line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1)));
      return variables;
    }

    private static final ProcessExecRequest ECHO =
        new ProcessExecRequest().command("/bin/echo").args(List.of("hello"));

    void echo(int client) throws Exception {
      ProcessExecResult result = exec(client, ECHO);
      if (result.getExitCode() != 0 || !"aGVsbG8K".equals(result.getStdoutB64())) {
        throw new IllegalStateException("wrong answer: " + result);
      }
    }

    ProcessExecResult exec(int client, ProcessExecRequest request) throws Exception {
      return processes[client].processExec(session(client), request);
    }

    String session(int client) {
      return sessions[client % sessions.length];
    }

    ApiClient api(int client) {
      return apis[client];
    }

    BrowserProcessesApi processes(int client) {
      return processes[client];
    }
  }

  /** A plain {@link ProcessBuilder} loop in this JVM: spawn, read both pipes, wait. */
  static final class ProcessBuilderLoop {
    private final Map<String, String> environment;

    ProcessBuilderLoop(Map<String, String> environment) {
      this.environment = environment;
    }

    void run(int calls, Latencies into) throws Exception {
      ProcessBuilder builder = new ProcessBuilder("/bin/echo", "hello");
      builder.environment().clear();
      builder.environment().putAll(environment);
      for (int i = 0; i < calls; i++) {
        long t0 = System.nanoTime();
        Process process = builder.start();
        try (InputStream out = process.getInputStream();
            InputStream err = process.getErrorStream()) {
          out.readAllBytes();
          err.readAllBytes();
        }
        process.waitFor();
        if (into != null) {
          into.add(System.nanoTime() - t0);
        }
      }
    }
  }
}
