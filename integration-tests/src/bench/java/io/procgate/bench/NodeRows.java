package io.procgate.bench;

import io.procgate.testing.ServerProcess;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.DoubleStream;

/**
 * Rows 1 and 2 from Node, as a new user tries the server: the lean {@code http} client on one
 * keep-alive connection next to the C loop, and {@code fetch}, Kernel's SDK's transport, next to
 * the floor of that client (a trivial authenticated GET of the session).
 */
final class NodeRows {
  private static final int CALLS = 3000;
  private static final int ROUNDS = 3;
  static final int GET_WARM_UP = 30_000;

  private final ServerProcess server;
  private final String session;
  private final NativeBaseline c;
  private final NodeClient node;

  NodeRows(ServerProcess server, String session, NativeBaseline c, NodeClient node) {
    this.server = server;
    this.session = session;
    this.c = c;
    this.node = node;
  }

  void latency(List<String> rows) throws Exception {
    List<NodeClient.Calls> http = new ArrayList<>();
    List<NativeBaseline.Spawns> spawns = new ArrayList<>();
    for (int round = 0; round < ROUNDS; round++) {
      http.add(node.run("http", "exec", server, session, 2000, CALLS / ROUNDS, 1));
      spawns.add(c.spawnLoop(CALLS / ROUNDS, 1, "/bin/echo", "hello"));
    }
    double p50 = median(http.stream().mapToDouble(NodeClient.Calls::p50Millis));
    double p99 = median(http.stream().mapToDouble(NodeClient.Calls::p99Millis));
    double cP50 = median(spawns.stream().mapToDouble(NativeBaseline.Spawns::p50Millis));
    double cP99 = median(spawns.stream().mapToDouble(NativeBaseline.Spawns::p99Millis));
    rows.add(row("1", "exec p50, Node `http` keep-alive", p50, "C posix_spawn", cP50, "≤ 1.5x"));
    rows.add(row("1", "exec p99, Node `http` keep-alive", p99, "C posix_spawn", cP99, "≤ 3x"));
    // The server's GET path is cold where its exec path is not: warmed with as many calls as
    // the exec got before this row, it takes less than half the time it takes after 2,000.
    double get = node.run("http", "get", server, session, GET_WARM_UP, CALLS, 1).p50Millis();
    rows.add(row("1", "exec p50, Node `http` keep-alive", p50, "its GET of the session", get, ""));
    // An exec over HTTP costs at least a spawn and a round trip: the best any server could do.
    double floor = cP50 + get;
    rows.add(
        row(
            "1",
            "floor of an exec over Node `http`: C spawn + its GET",
            floor,
            "C posix_spawn",
            cP50,
            ""));
    rows.add(row("1", "exec p50, Node `http` keep-alive", p50, "that floor", floor, ""));

    double fetch = node.run("fetch", "exec", server, session, 2000, CALLS, 1).p50Millis();
    double fetchGet = node.run("fetch", "get", server, session, 2000, CALLS, 1).p50Millis();
    rows.add(row("1", "exec p50, Node `fetch` (the SDK's)", fetch, "C posix_spawn", cP50, ""));
    rows.add(
        row(
            "1",
            "exec p50, Node `fetch` (the SDK's)",
            fetch,
            "its GET of the session",
            fetchGet,
            ""));
  }

  void throughput(List<String> rows) throws Exception {
    for (int concurrency : new int[] {8, 64}) {
      double ours = 0;
      double base = 0;
      for (int round = 0; round < ROUNDS; round++) {
        ours +=
            node.run("http", "exec", server, session, 500, CALLS / ROUNDS, concurrency)
                .callsPerSecond();
        base += c.spawnLoop(CALLS / ROUNDS, concurrency, "/bin/echo", "hello").callsPerSecond();
      }
      rows.add(
          Benchmark.formatRow(
              "2",
              "exec throughput, Node `http`, concurrency " + concurrency,
              Benchmark.perSecond(ours / ROUNDS),
              "C posix_spawn " + Benchmark.perSecond(base / ROUNDS),
              ours / base,
              "≥ 0.7x"));
    }
  }

  private static double median(DoubleStream values) {
    return Benchmark.median(values.toArray());
  }

  static String row(
      String number,
      String measure,
      double millis,
      String baseline,
      double baselineMillis,
      String target) {
    return Benchmark.formatRow(
        number,
        measure,
        Benchmark.ms(millis),
        baseline + " " + Benchmark.ms(baselineMillis),
        millis / baselineMillis,
        target);
  }
}
