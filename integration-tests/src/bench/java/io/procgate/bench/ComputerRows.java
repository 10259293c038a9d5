package io.procgate.bench;

import io.procgate.client.api.BrowserComputerApi;
import io.procgate.client.api.BrowserReplaysApi;
import io.procgate.client.model.Browser;
import io.procgate.client.model.BrowserCreateRequest;
import io.procgate.client.model.BrowserViewport;
import io.procgate.client.model.ComputerClickMouseRequest;
import io.procgate.client.model.ProcessExecRequest;
import io.procgate.client.model.ProcessExecResult;
import io.procgate.client.model.Replay;
import io.procgate.client.model.ReplayStartRequest;
import io.procgate.testing.CdpConnection;
import io.procgate.testing.ServerProcess;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * Row 12, the computer controls on a 1920x1080 headful session: a screenshot through the API
 * against ImageMagick's {@code import} and {@code xwd} of the same display, each run by hand in the
 * session, and a click's round trip against xdotool's own click run there; and the CPU a recording
 * takes, against the same ffmpeg writing a file by itself.
 */
final class ComputerRows {
  private static final int SHOTS = 30;
  private static final int CLICKS = 200;
  private static final int RECORDING_SECONDS = 10;
  // Every pixel changes in every frame: the most a page makes the encoder work.
  private static final String ANIMATED_PAGE =
      "data:text/html,<style>@keyframes h{to{filter:hue-rotate(360deg)}}</style>"
          + "<body style='margin:0;height:100vh;background:linear-gradient(45deg,red,blue,green);"
          + "animation:h 3s linear infinite'>";

  private final ServerProcess server;

  ComputerRows(ServerProcess server) {
    this.server = server;
  }

  void measure(List<String> rows) throws Exception {
    Browser session =
        server
            .browsers()
            .createBrowser(
                new BrowserCreateRequest()
                    .headless(false)
                    .viewport(new BrowserViewport().width(1920).height(1080)));
    String id = session.getSessionId();
    BrowserComputerApi computer = new BrowserComputerApi(server.client());
    try {
      for (int i = 0; i < 5; i++) {
        computer.computerCaptureScreenshot(id, null).delete();
      }
      Latencies api = new Latencies(SHOTS);
      for (int i = 0; i < SHOTS; i++) {
        long t0 = System.nanoTime();
        File png = computer.computerCaptureScreenshot(id, null);
        api.add(System.nanoTime() - t0);
        png.delete();
      }
      double ours = api.percentileMillis(50);
      // In the session, so each baseline pays for its own spawn as the API's xwd does.
      double magick = shellMillis(id, "import -window root png:- > /dev/null");
      double xwd = shellMillis(id, "xwd -root -silent > /dev/null");
      rows.add(
          Benchmark.formatRow(
              "12",
              "screenshot of 1920x1080 as PNG, p50",
              Benchmark.ms(ours),
              "ImageMagick `import -window root png:-` " + Benchmark.ms(magick),
              ours / magick,
              "≤ 1x"));
      rows.add(
          Benchmark.formatRow(
              "12",
              "screenshot of 1920x1080 as PNG, p50",
              Benchmark.ms(ours),
              "`xwd -root` (raw, no PNG) " + Benchmark.ms(xwd),
              ours / xwd,
              ""));

      Latencies clicks = new Latencies(CLICKS);
      ComputerClickMouseRequest click = new ComputerClickMouseRequest().x(960).y(540);
      for (int i = 0; i < CLICKS; i++) {
        long t0 = System.nanoTime();
        computer.computerClickMouse(id, click);
        clicks.add(System.nanoTime() - t0);
      }
      double click50 = clicks.percentileMillis(50);
      double byHand = shellMillis(id, "xdotool mousemove 960 540 click --delay 0 1");
      rows.add(
          Benchmark.formatRow(
              "12",
              "click round trip, p50",
              Benchmark.ms(click50),
              "`xdotool mousemove ... click` in the session " + Benchmark.ms(byHand),
              click50 / byHand,
              ""));

      recordingCpu(session, rows);
    } finally {
      server.browsers().deleteBrowser(id);
    }
  }

  /**
   * A recording's CPU, ffmpeg's and the server's, against the same ffmpeg command line run by hand
   * for as long with a file for its output, both while the screen shows an animated page.
   */
  private void recordingCpu(Browser session, List<String> rows) throws Exception {
    String id = session.getSessionId();
    BrowserReplaysApi replays = new BrowserReplaysApi(server.client());
    try (CdpConnection cdp = CdpConnection.open(session.getCdpWsUrl())) {
      cdp.openPage(ANIMATED_PAGE);
      Replay replay = replays.replaysStart(id, new ReplayStartRequest());
      long ffmpeg = ffmpegOf(replay.getReplayId());
      List<String> command =
          ProcessHandle.of(ffmpeg).orElseThrow().info().arguments().map(List::of).orElseThrow();
      CpuTime serverBefore = CpuTime.of(server.pid());
      CpuTime ffmpegBefore = CpuTime.of(ffmpeg);
      long t0 = System.nanoTime();
      Thread.sleep(RECORDING_SECONDS * 1000L);
      long ours =
          CpuTime.of(ffmpeg).since(ffmpegBefore).ownNanos()
              + CpuTime.of(server.pid()).since(serverBefore).ownNanos();
      double ourShare = (double) ours / (System.nanoTime() - t0);
      replays.replaysStop(id, replay.getReplayId());

      Path video = Files.createTempFile("procgate-bench-recording", ".mp4");
      List<String> byHand = new ArrayList<>(command);
      byHand.set(byHand.indexOf("-t") + 1, Integer.toString(RECORDING_SECONDS));
      byHand.set(byHand.size() - 1, video.toString());
      byHand.add(0, "-y");
      // The shell's reaped children's CPU, once ffmpeg has exited.
      List<String> shell =
          new ArrayList<>(List.of("sh", "-c", "ffmpeg \"$@\" && cat /proc/$$/stat", "sh"));
      shell.addAll(byHand);
      long t1 = System.nanoTime();
      Process baseline =
          new ProcessBuilder(shell).redirectError(ProcessBuilder.Redirect.DISCARD).start();
      String stat = new String(baseline.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      long elapsed = System.nanoTime() - t1;
      if (baseline.waitFor() != 0) {
        throw new IllegalStateException("ffmpeg by hand failed: " + byHand);
      }
      Files.deleteIfExists(video);
      double handShare = (double) CpuTime.parse(stat).childrenNanos() / elapsed;
      int framerate = Integer.parseInt(command.get(command.indexOf("-framerate") + 1));
      rows.add(
          Benchmark.formatRow(
              "12",
              "CPU of a recording of 1920x1080 at "
                  + framerate
                  + " fps (an animated page), ffmpeg and the server",
              percent(ourShare),
              "the same ffmpeg writing a file by hand " + percent(handShare),
              ourShare / handShare,
              ""));
    }
  }

  /** The ffmpeg that records {@code replayId}, which its title names. */
  private static long ffmpegOf(String replayId) {
    return ProcessHandle.allProcesses()
        .filter(
            process ->
                process.info().command().orElse("").endsWith("/ffmpeg")
                    && process
                        .info()
                        .arguments()
                        .map(List::of)
                        .orElse(List.of())
                        .contains("title=" + replayId))
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("no ffmpeg records " + replayId))
        .pid();
  }

  private static String percent(double share) {
    return String.format(Locale.ROOT, "%.0f%% of a core", 100 * share);
  }

  /** The p50 of {@code command} in the session's shell, timed inside it. */
  private double shellMillis(String id, String command) throws Exception {
    String loop =
        "set -e; for i in $(seq "
            + SHOTS
            + "); do s=$(date +%s%N); "
            + command
            + "; e=$(date +%s%N); echo $(( (e - s) / 1000 )); done";
    ProcessExecResult result =
        server
            .processes()
            .processExec(
                id,
                new ProcessExecRequest().command("sh").args(List.of("-c", loop)).timeoutSec(120));
    if (result.getExitCode() == null || result.getExitCode() != 0) {
      throw new IllegalStateException(
          "`"
              + command
              + "` failed in the session: "
              + new String(
                  Base64.getDecoder().decode(result.getStderrB64()), StandardCharsets.UTF_8));
    }
    double[] micros =
        new String(Base64.getDecoder().decode(result.getStdoutB64()), StandardCharsets.UTF_8)
            .lines()
            .mapToDouble(Double::parseDouble)
            .toArray();
    return Benchmark.median(micros) / 1000;
  }
}
