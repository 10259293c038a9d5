package io.procgate.bench;

import io.procgate.client.model.ProcessKillRequest;
import io.procgate.client.model.ProcessSpawnRequest;
import io.procgate.testing.ServerProcess;
import java.util.List;
import java.util.Map;

/**
 * Row 7, containment: what joining a session's cgroup adds to an exec, next to the same server
 * without cgroups, and an exec's latency while another session spins on every core, next to the
 * same exec on a quiet machine.
 */
final class ContainmentRows {
  private static final int CALLS = 3000;
  private static final int ROUNDS = 6;

  private final Benchmark.Clients contained;
  private final Map<String, String> settings;

  ContainmentRows(Benchmark.Clients contained, Map<String, String> settings) {
    this.contained = contained;
    this.settings = settings;
  }

  void measure(List<String> rows) throws Exception {
    Map<String, String> groupsOnly = new java.util.HashMap<>(settings);
    groupsOnly.put("procgate.containment.mechanism", "none");
    Latencies inCgroups = new Latencies(CALLS);
    Latencies inGroups = new Latencies(CALLS);
    try (ServerProcess other = ServerProcess.start(groupsOnly)) {
      Benchmark.Clients uncontained = new Benchmark.Clients(other, 1);
      for (int i = 0; i < 3000; i++) {
        uncontained.echo(0);
        contained.echo(0);
      }
      // Rounds that alternate between the servers, so that drift hits both alike.
      for (int round = 0; round < ROUNDS; round++) {
        time(contained, 0, CALLS / ROUNDS, inCgroups);
        time(uncontained, 0, CALLS / ROUNDS, inGroups);
      }
    }
    double with = inCgroups.percentileMillis(50);
    double without = inGroups.percentileMillis(50);
    rows.add(
        Benchmark.formatRow(
            "7",
            "exec `/bin/echo hello` p50, in the session's cgroup (v1: pids, memory, cpu)",
            Benchmark.ms(with),
            "the same server without cgroups " + Benchmark.ms(without),
            with / without,
            ""));

    Latencies quiet = new Latencies(CALLS / 2);
    Latencies busy = new Latencies(CALLS / 2);
    time(contained, 1, CALLS / 2, quiet);
    String spinner =
        contained
            .processes(0)
            .processSpawn(
                contained.session(0),
                new ProcessSpawnRequest()
                    .command("for i in 1 2 3 4; do (while :; do :; done) & done; wait"))
            .getProcessId()
            .toString();
    try {
      time(contained, 1, CALLS / 2, busy);
    } finally {
      contained
          .processes(0)
          .processKill(
              contained.session(0),
              spinner,
              new ProcessKillRequest().signal(ProcessKillRequest.SignalEnum.KILL));
    }
    rows.add(
        Benchmark.formatRow(
            "7",
            "exec p50 while another session spins 4 loops on 2 cores",
            Benchmark.ms(busy.percentileMillis(50)),
            "the same exec on a quiet machine " + Benchmark.ms(quiet.percentileMillis(50)),
            busy.percentileMillis(50) / quiet.percentileMillis(50),
            ""));
  }

  /** Times {@code calls} echoes of client {@code client}, one at a time, into {@code into}. */
  static void time(Benchmark.Clients clients, int client, int calls, Latencies into)
      throws Exception {
    for (int i = 0; i < calls; i++) {
      long t0 = System.nanoTime();
      clients.echo(client);
      into.add(System.nanoTime() - t0);
    }
  }
}
