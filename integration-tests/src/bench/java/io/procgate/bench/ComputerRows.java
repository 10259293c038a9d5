package io.procgate.bench;

import io.procgate.client.api.BrowserComputerApi;
import io.procgate.client.model.Browser;
import io.procgate.client.model.BrowserCreateRequest;
import io.procgate.client.model.BrowserViewport;
import io.procgate.client.model.ComputerClickMouseRequest;
import io.procgate.client.model.ProcessExecRequest;
import io.procgate.client.model.ProcessExecResult;
import io.procgate.testing.ServerProcess;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * Row 12, the computer controls on a 1920x1080 headful session: a screenshot through the API
 * against ImageMagick's {@code import} and {@code xwd} of the same display, each run by hand in the
 * session, and a click's round trip against xdotool's own click run there.
 */
final class ComputerRows {
  private static final int SHOTS = 30;
  private static final int CLICKS = 200;

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
    } finally {
      server.browsers().deleteBrowser(id);
    }
  }

  /** The p50 of {@code command} in the session's shell, timed inside it. */
  private double shellMillis(String id, String command) throws Exception {
    String loop =
        "for i in $(seq "
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
    double[] micros =
        new String(Base64.getDecoder().decode(result.getStdoutB64()), StandardCharsets.UTF_8)
            .lines()
            .mapToDouble(Double::parseDouble)
            .toArray();
    return Benchmark.median(micros) / 1000;
  }
}
