package io.procgate.bench;

import io.procgate.client.model.Browser;
import io.procgate.client.model.BrowserCreateRequest;
import io.procgate.testing.CdpConnection;
import io.procgate.testing.ServerProcess;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Row 6, the browser: a session's create to CDP-ready next to starting Chromium by hand to its
 * DevTools line, a CDP round trip through the server next to one on Chromium's own port, and an
 * idle session's memory.
 */
final class BrowserRows {
  private static final Path CHROMIUM = Path.of("/usr/lib/chromium/chromium");
  private static final int STARTS = 9;
  private static final int ROUND_TRIPS = 3000;
  private static final int ROUNDS = 3;

  private final ServerProcess server;
  private final Path work;

  BrowserRows(ServerProcess server, Path work) {
    this.server = server;
    this.work = work;
  }

  void measure(List<String> rows) throws Exception {
    double[] creates = new double[STARTS];
    double[] toLine = new double[STARTS];
    double[] toAnswer = new double[STARTS];
    for (int i = 0; i < STARTS; i++) {
      long t0 = System.nanoTime();
      Browser session = server.browsers().createBrowser(new BrowserCreateRequest());
      creates[i] = (System.nanoTime() - t0) / 1e6;
      server.browsers().deleteBrowser(session.getSessionId());
      double[] direct = chromiumByHand(i);
      toLine[i] = direct[0];
      toAnswer[i] = direct[1];
    }
    double ours = Benchmark.median(creates);
    for (double[] baseline : List.of(toLine, toAnswer)) {
      double millis = Benchmark.median(baseline);
      rows.add(
          Benchmark.formatRow(
              "6",
              "create a session to its browser answering CDP, p50",
              Benchmark.ms(ours),
              "Chromium started by hand, to its "
                  + (baseline == toLine ? "DevTools line " : "first CDP answer ")
                  + Benchmark.ms(millis),
              ours / millis,
              ""));
    }

    Browser session = server.browsers().createBrowser(new BrowserCreateRequest());
    try {
      roundTrips(session, rows);
      Thread.sleep(5000);
      long pss = pssKib(session.getWorkDir());
      rows.add(
          Benchmark.formatRow(
              "6",
              "idle session's memory, PSS of its whole tree",
              String.format(Locale.ROOT, "%.0f MiB", pss / 1024.0),
              "the 512 MiB per session of the default session limit",
              pss / 1024.0 / 512,
              "≤ 1x"));
    } finally {
      server.browsers().deleteBrowser(session.getSessionId());
    }
  }

  private void roundTrips(Browser session, List<String> rows) throws Exception {
    List<String> port =
        Files.readAllLines(Path.of(session.getWorkDir(), ".browser/profile/DevToolsActivePort"));
    Latencies proxied = new Latencies(ROUND_TRIPS);
    Latencies own = new Latencies(ROUND_TRIPS);
    try (CdpConnection through = CdpConnection.open(session.getCdpWsUrl());
        CdpConnection straight =
            CdpConnection.open("ws://127.0.0.1:" + port.get(0) + port.get(1))) {
      String throughPage = page(through);
      String straightPage = page(straight);
      for (int warm = 0; warm < 2000; warm++) {
        evaluate(through, throughPage);
        evaluate(straight, straightPage);
      }
      for (int round = 0; round < ROUNDS; round++) {
        for (int i = 0; i < ROUND_TRIPS / ROUNDS; i++) {
          long t0 = System.nanoTime();
          evaluate(through, throughPage);
          proxied.add(System.nanoTime() - t0);
        }
        for (int i = 0; i < ROUND_TRIPS / ROUNDS; i++) {
          long t0 = System.nanoTime();
          evaluate(straight, straightPage);
          own.add(System.nanoTime() - t0);
        }
      }
    }
    for (int percentile : new int[] {50, 99}) {
      double ours = proxied.percentileMillis(percentile);
      double baseline = own.percentileMillis(percentile);
      rows.add(
          Benchmark.formatRow(
              "6",
              "CDP round trip (`Runtime.evaluate` of `1+1`), p" + percentile,
              Benchmark.ms(ours),
              "on Chromium's own port " + Benchmark.ms(baseline),
              ours / baseline,
              "≤ 1.2x"));
    }
  }

  /** A new page, attached in flat mode; its session id. */
  static String page(CdpConnection cdp) throws Exception {
    String target =
        cdp.call("Target.createTarget", CdpConnection.params().put("url", "about:blank"))
            .get("targetId")
            .asText();
    return cdp.call(
            "Target.attachToTarget",
            CdpConnection.params().put("targetId", target).put("flatten", true))
        .get("sessionId")
        .asText();
  }

  static void evaluate(CdpConnection cdp, String page) throws Exception {
    cdp.call(page, "Runtime.evaluate", CdpConnection.params().put("expression", "1+1"));
  }

  /**
   * Milliseconds from starting Chromium (with the flags that matter to its start) to its DevTools
   * line, and to its first answer over CDP.
   */
  private double[] chromiumByHand(int run) throws Exception {
    Path profile = Files.createDirectories(work.resolve("chromium-" + run));
    Path tmp = Files.createDirectories(work.resolve("t" + run));
    List<String> command =
        new ArrayList<>(
            List.of(
                CHROMIUM.toString(),
                "--headless=new",
                "--no-sandbox",
                "--remote-debugging-port=0",
                "--user-data-dir=" + profile,
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                "--disable-gpu",
                "about:blank"));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().put("TMPDIR", tmp.toString());
    builder.environment().put("HOME", profile.toString());
    long t0 = System.nanoTime();
    Process chromium = builder.start();
    try (BufferedReader stderr =
        new BufferedReader(
            new InputStreamReader(chromium.getErrorStream(), StandardCharsets.UTF_8))) {
      for (String line = stderr.readLine(); line != null; line = stderr.readLine()) {
        if (line.startsWith("DevTools listening on ")) {
          double toLine = (System.nanoTime() - t0) / 1e6;
          try (CdpConnection cdp = CdpConnection.open(line.substring(22).strip())) {
            cdp.call("Browser.getVersion", CdpConnection.params());
          }
          return new double[] {toLine, (System.nanoTime() - t0) / 1e6};
        }
      }
      throw new IOException("Chromium exited without its DevTools line");
    } finally {
      chromium.descendants().forEach(ProcessHandle::destroyForcibly);
      chromium.destroyForcibly();
      chromium.waitFor();
    }
  }

  /** The PSS of every process whose command line or environment names {@code dir}, in KiB. */
  private static long pssKib(String dir) throws IOException {
    long total = 0;
    try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
      for (Path entry : (Iterable<Path>) entries::iterator) {
        if (!entry.getFileName().toString().chars().allMatch(Character::isDigit)) {
          continue;
        }
        try {
          String names =
              Files.readString(entry.resolve("cmdline"), StandardCharsets.ISO_8859_1)
                  + Files.readString(entry.resolve("environ"), StandardCharsets.ISO_8859_1);
          if (!names.contains(dir)) {
            continue;
          }
          for (String line : Files.readAllLines(entry.resolve("smaps_rollup"))) {
            if (line.startsWith("Pss:")) {
              total += Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
          }
        } catch (IOException gone) {
          // It ended while we looked.
        }
      }
    }
    return total;
  }
}
