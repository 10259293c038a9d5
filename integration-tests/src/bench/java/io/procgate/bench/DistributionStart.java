package io.procgate.bench;

import io.procgate.testing.ServerProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Row 10: from launching bin/procgate, unpacked from the distribution, to its first answer to an
 * authenticated request; best of three, on this Java (class data archive) and on Java 25 (the
 * build's AOT cache) where installed, beside a JVM that only serves HTTP, timed the same way.
 */
final class DistributionStart {
  private static final int STARTS = 3;

  private final Path work;
  private final Path java25;

  DistributionStart(Path work, Path java25) {
    this.work = work;
    this.java25 = java25;
  }

  void measure(List<String> rows) throws Exception {
    Path home = unpack();
    String token = UUID.randomUUID().toString();
    int port = ServerProcess.freePort();
    Files.writeString(
        home.resolve("conf/procgate.properties"),
        String.join(
            "\n",
            "",
            "quarkus.http.port=" + port,
            "procgate.management.port=" + ServerProcess.freePort(),
            "procgate.sessions.root=" + Files.createTempDirectory(work, "sessions"),
            "procgate.api-key=" + token,
            ""),
        StandardOpenOption.APPEND);
    Path javaHome =
        Path.of(ProcessHandle.current().info().command().orElseThrow()).getParent().getParent();
    double idle = best(() -> idleServer(javaHome, port), port, null);
    rows.add(
        row(
            "Java " + Runtime.version().feature() + ", class data archive",
            best(() -> procgate(home, javaHome), port, token),
            idle));
    if (Files.isExecutable(java25)) {
      Path home25 = java25.getParent().getParent();
      rows.add(row("Java 25, AOT cache", best(() -> procgate(home, home25), port, token), idle));
    }
  }

  private static String row(String runtime, double seconds, double idle) {
    return Benchmark.formatRow(
        "10",
        "bin/procgate to its first authenticated answer, best of 3 (" + runtime + ")",
        String.format(Locale.ROOT, "%.2f s", seconds),
        String.format(Locale.ROOT, "idle JVM's HTTP server %.2f s", idle),
        seconds / idle,
        "< 1 s");
  }

  private interface Launch {
    Process start() throws IOException;
  }

  /** The shortest of three starts, each timed from the launch to a 200. */
  private static double best(Launch launch, int port, String token) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/browsers"));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    double best = Double.MAX_VALUE;
    for (int i = 0; i < STARTS; i++) {
      HttpClient http = HttpClient.newHttpClient();
      long t0 = System.nanoTime();
      Process process = launch.start();
      try {
        while (true) {
          if (!process.isAlive()) {
            throw new IllegalStateException("exited at start: " + process.exitValue());
          }
          try {
            if (http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode()
                == 200) {
              break;
            }
          } catch (IOException notYet) {
            Thread.sleep(2);
          }
        }
        best = Math.min(best, (System.nanoTime() - t0) / 1e9);
      } finally {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      }
    }
    return best;
  }

  private Process procgate(Path home, Path javaHome) throws IOException {
    ProcessBuilder builder =
        new ProcessBuilder(home.resolve("bin/procgate").toString())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD);
    builder.environment().remove("KERNEL_API_KEY");
    builder.environment().remove("JAVA_OPTS");
    builder.environment().put("JAVA_HOME", javaHome.toString());
    return builder.start();
  }

  private static Process idleServer(Path javaHome, int port) throws IOException {
    return new ProcessBuilder(
            javaHome.resolve("bin/java").toString(),
            "-cp",
            System.getProperty("java.class.path"),
            IdleHttpServer.class.getName(),
            Integer.toString(port))
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start();
  }

  private Path unpack() throws Exception {
    Path archive = Path.of(System.getProperty("procgate.distribution"));
    Path into = Files.createTempDirectory(work, "dist");
    Process tar =
        new ProcessBuilder("tar", "xzf", archive.toString(), "-C", into.toString())
            .inheritIO()
            .start();
    if (tar.waitFor() != 0) {
      throw new IllegalStateException("cannot unpack " + archive);
    }
    List<Path> unpacked = new ArrayList<>();
    try (Stream<Path> entries = Files.list(into)) {
      entries.forEach(unpacked::add);
    }
    return unpacked.get(0);
  }
}
