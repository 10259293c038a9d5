package io.procgate.bench;

import io.procgate.testing.Distribution;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

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
    Distribution distribution = Distribution.unpack(Files.createTempDirectory(work, "dist"));
    URI api = distribution.baseUri();
    Path javaHome =
        Path.of(ProcessHandle.current().info().command().orElseThrow()).getParent().getParent();
    double idle = best(() -> idleServer(javaHome, api.getPort()), api, null);
    rows.add(
        row(
            "Java " + Runtime.version().feature() + ", class data archive",
            best(() -> procgate(distribution, javaHome), api, distribution.token()),
            idle));
    if (Files.isExecutable(java25)) {
      Path home25 = java25.getParent().getParent();
      rows.add(
          row(
              "Java 25, AOT cache",
              best(() -> procgate(distribution, home25), api, distribution.token()),
              idle));
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
  private static double best(Launch launch, URI api, String token) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(api.resolve("/browsers"));
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

  private static Process procgate(Distribution distribution, Path javaHome) throws IOException {
    return distribution.launch(javaHome, "", ProcessBuilder.Redirect.DISCARD);
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
}
