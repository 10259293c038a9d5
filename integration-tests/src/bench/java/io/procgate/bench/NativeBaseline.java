package io.procgate.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The C baseline, compiled from {@code bench/spawn_baseline.c} with gcc when first used. */
final class NativeBaseline {
  /** Per-call latency percentiles and throughput of a spawn loop, and every call's latency. */
  record Spawns(double p50Millis, double p99Millis, double callsPerSecond, Latencies calls) {}

  private final Path binary;
  private final Map<String, String> environment;

  private NativeBaseline(Path binary, Map<String, String> environment) {
    this.binary = binary;
    this.environment = environment;
  }

  /** Compiles the baseline; its children will get {@code environment}. */
  static NativeBaseline compile(Path workDir, Map<String, String> environment)
      throws IOException, InterruptedException {
    Path source = workDir.resolve("spawn_baseline.c");
    try (InputStream in = NativeBaseline.class.getResourceAsStream("/bench/spawn_baseline.c")) {
      Files.write(source, in.readAllBytes());
    }
    Path binary = workDir.resolve("spawn_baseline");
    run(List.of("gcc", "-O2", "-pthread", "-o", binary.toString(), source.toString()), null);
    return new NativeBaseline(binary, environment);
  }

  Map<String, String> environment() {
    return environment;
  }

  Spawns spawnLoop(int calls, int threads, String... command)
      throws IOException, InterruptedException {
    List<String> args =
        new ArrayList<>(
            List.of(
                binary.toString(), "latency", Integer.toString(calls), Integer.toString(threads)));
    args.addAll(List.of(command));
    List<String> lines = run(args, environment).lines().toList();
    String[] f = lines.get(0).trim().split(" ");
    Latencies each = new Latencies(lines.size() - 1);
    lines.subList(1, lines.size()).forEach(line -> each.add(Long.parseLong(line.trim())));
    return new Spawns(
        Double.parseDouble(f[0]) / 1000,
        Double.parseDouble(f[1]) / 1000,
        Double.parseDouble(f[2]),
        each);
  }

  /** Seconds to read all of the command's stdout through a pipe. */
  double pipeSeconds(String... command) throws IOException, InterruptedException {
    List<String> args = new ArrayList<>(List.of(binary.toString(), "pipe"));
    args.addAll(List.of(command));
    return Double.parseDouble(run(args, environment).trim().split(" ")[1]);
  }

  private static String run(List<String> command, Map<String, String> environment)
      throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    if (environment != null) {
      builder.environment().clear();
      builder.environment().putAll(environment);
    }
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(10, TimeUnit.MINUTES) || process.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
    }
    return output;
  }
}
