package io.procgate.bench;

import io.procgate.client.stream.FileTransfers;
import io.procgate.testing.ServerProcess;
import java.io.File;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.HttpRequest.BodyPublishers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Row 8, files: read_file and write_file of 256 MiB next to {@code cat} of the same file to {@code
 * /dev/null}, and write_file next to {@code cat} writing the same bytes to a file beside it (the
 * floor of any write: the kernel copying into the page cache). Each is taken through the generated
 * client's helper and through curl, which shows what the server does without the JDK's HTTP client
 * reading for it.
 */
final class FileRows {
  private static final int MIB = 1024 * 1024;
  private static final int RUNS = 7;
  private static final int WARM_UP_RUNS = 2;

  private final ServerProcess server;
  private final Benchmark.Clients clients;
  private final Path source;

  FileRows(ServerProcess server, Benchmark.Clients clients, Path source) {
    this.server = server;
    this.clients = clients;
    this.source = source;
  }

  void measure(List<String> rows) throws Exception {
    long size = Files.size(source);
    Path target = source.resolveSibling("written.bin");
    List<Run> runs =
        List.of(
            new Run(() -> readSeconds(size)),
            new Run(() -> curlSeconds(readCommand(), null)),
            new Run(() -> writeSeconds(target, size)),
            new Run(() -> curlSeconds(writeCommand(target), target)),
            new Run(() -> catSeconds(new File("/dev/null"))),
            new Run(() -> catSeconds(target.toFile())));
    for (int i = -WARM_UP_RUNS; i < RUNS; i++) {
      for (Run run : runs) {
        run.once(i >= 0);
      }
      Files.delete(target);
    }
    double mib = size / (double) MIB;
    double javaRead = runs.get(0).rate(mib);
    double curlRead = runs.get(1).rate(mib);
    double javaWrite = runs.get(2).rate(mib);
    double curlWrite = runs.get(3).rate(mib);
    double catToNull = runs.get(4).rate(mib);
    double catToFile = runs.get(5).rate(mib);
    String toNull = "`cat` to /dev/null " + Benchmark.mibPerSecond(catToNull);
    String toFile = "`cat` to a file beside it " + Benchmark.mibPerSecond(catToFile);
    rows.add(row("read_file of 256 MiB, Java client", javaRead, toNull, catToNull, "≥ 0.5x"));
    rows.add(row("read_file of 256 MiB, curl", curlRead, toNull, catToNull, "≥ 0.5x"));
    rows.add(row("write_file of 256 MiB, Java client", javaWrite, toNull, catToNull, "≥ 0.5x"));
    rows.add(row("write_file of 256 MiB, curl", curlWrite, toNull, catToNull, "≥ 0.5x"));
    rows.add(row("write_file of 256 MiB, Java client", javaWrite, toFile, catToFile, ""));
    rows.add(row("write_file of 256 MiB, curl", curlWrite, toFile, catToFile, ""));
  }

  /** One way of moving the file, and how long it took in each measured run. */
  private static final class Run {
    private final Benchmark.Run way;
    private final double[] seconds = new double[RUNS];
    private int measured;

    Run(Benchmark.Run way) {
      this.way = way;
    }

    void once(boolean measure) throws Exception {
      double taken = way.seconds();
      if (measure) {
        seconds[measured++] = taken;
      }
    }

    double rate(double mib) {
      return mib / Benchmark.median(seconds);
    }
  }

  private List<String> readCommand() {
    return List.of("-o", "/dev/null", url("read_file", source));
  }

  private List<String> writeCommand(Path target) {
    return List.of(
        "-o",
        "/dev/null",
        "-T",
        source.toString(),
        "-H",
        "Content-Type: application/octet-stream",
        url("write_file", target));
  }

  private String url(String operation, Path path) {
    return server
        .baseUri()
        .resolve("/browsers/" + clients.session(0) + "/fs/" + operation + "?path=" + path)
        .toString();
  }

  /** Seconds curl takes for {@code arguments}, which must succeed; a written file is checked. */
  private double curlSeconds(List<String> arguments, Path written) throws Exception {
    List<String> command =
        new ArrayList<>(List.of("curl", "-sSf", "-H", "Authorization: Bearer " + server.token()));
    command.addAll(arguments);
    double seconds =
        timed(new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT));
    if (written != null && Files.size(written) != Files.size(source)) {
      throw new IllegalStateException("curl's write_file left " + Files.size(written) + " bytes");
    }
    return seconds;
  }

  private static String row(
      String measure, double rate, String baseline, double baselineRate, String target) {
    return Benchmark.formatRow(
        "8", measure, Benchmark.mibPerSecond(rate), baseline, rate / baselineRate, target);
  }

  private double readSeconds(long size) throws Exception {
    long t0 = System.nanoTime();
    long read;
    try (InputStream in =
        FileTransfers.readFile(clients.api(0), clients.session(0), source.toString())) {
      read = in.transferTo(OutputStream.nullOutputStream());
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    if (read != size) {
      throw new IllegalStateException("read_file carried " + read + " of " + size + " bytes");
    }
    return seconds;
  }

  private double writeSeconds(Path target, long size) throws Exception {
    long t0 = System.nanoTime();
    FileTransfers.writeFile(
        clients.api(0), clients.session(0), target.toString(), BodyPublishers.ofFile(source), null);
    double seconds = (System.nanoTime() - t0) / 1e9;
    if (Files.size(target) != size) {
      throw new IllegalStateException("write_file left " + Files.size(target) + " bytes");
    }
    return seconds;
  }

  private double catSeconds(File output) throws Exception {
    return timed(
        new ProcessBuilder("/bin/cat", source.toString())
            .redirectOutput(output)
            .redirectError(ProcessBuilder.Redirect.INHERIT));
  }

  /** Seconds from starting the command to its exit, which must be a success. */
  private static double timed(ProcessBuilder command) throws Exception {
    long t0 = System.nanoTime();
    Process process = command.start();
    if (!process.waitFor(5, TimeUnit.MINUTES) || process.exitValue() != 0) {
      process.destroyForcibly();
      throw new IllegalStateException(String.join(" ", command.command()) + " failed");
    }
    return (System.nanoTime() - t0) / 1e9;
  }
}
