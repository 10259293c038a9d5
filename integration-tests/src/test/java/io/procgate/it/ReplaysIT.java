package io.procgate.it;

import static io.procgate.testing.Refusals.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.procgate.client.api.BrowserReplaysApi;
import io.procgate.client.api.BrowsersApi;
import io.procgate.client.model.Browser;
import io.procgate.client.model.BrowserCreateRequest;
import io.procgate.client.model.BrowserViewport;
import io.procgate.client.model.Replay;
import io.procgate.client.model.ReplayStartRequest;
import io.procgate.testing.ServerProcess;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recordings of headful sessions' real screens: through Kernel's SDK while a page changes, checked
 * with ffprobe; through the generated client with bad input; and a server stopped while one runs.
 */
@ExtendWith(SharedServer.class)
@Timeout(180)
class ReplaysIT {
  private final ServerProcess server;
  private final BrowsersApi browsers;
  private final BrowserReplaysApi replays;
  @TempDir Path dir;

  ReplaysIT(ServerProcess server) {
    this.server = server;
    this.browsers = new BrowsersApi(server.client());
    this.replays = new BrowserReplaysApi(server.client());
  }

  @Test
  void aReplayRecordedThroughKernelsSdkIsAWholeH264VideoOfThePageChanging() throws Exception {
    Path video = dir.resolve("replay.mp4");
    JsonNode seen =
        SdkCompatibilityIT.runSdkScript(
            "replay-check.mjs",
            server.baseUri(),
            server.token(),
            Map.of("REPLAY_OUT", video.toString()));

    String replayId = seen.at("/started/replay_id").asText();
    assertThat(replayId).matches("rp[0-9a-f]{12}");
    assertThat(seen.at("/started/started_at").asText()).isNotEmpty();
    assertThat(seen.at("/started/finished_at").asText(null)).isNull();
    assertThat(seen.at("/listedWhileRecording/0/replay_id").asText()).isEqualTo(replayId);
    assertThat(seen.at("/secondStart/status").asInt()).isEqualTo(409);
    assertThat(seen.at("/secondStart/code").asText()).isEqualTo("replay_running");
    assertThat(seen.at("/downloadWhileRecording/code").asText()).isEqualTo("replay_running");
    assertThat(seen.at("/listed/0/finished_at").asText()).isNotEmpty();
    assertThat(seen.at("/listed/0/replay_view_url").asText())
        .endsWith("/replays/" + replayId)
        .startsWith("http://");
    assertThat(seen.at("/contentType").asText()).isEqualTo("video/mp4");
    assertThat(seen.at("/unknownReplay/code").asText()).isEqualTo("replay_not_found");
    assertThat(seen.at("/audio/code").asText()).isEqualTo("validation_failed");
    assertThat(seen.at("/framerate/status").asInt()).isEqualTo(400);

    Map<String, String> probe = probe(video);
    assertThat(probe.get("codec_name")).isEqualTo("h264");
    assertThat(probe.get("width")).isEqualTo("800");
    assertThat(probe.get("height")).isEqualTo("600");
    // The page changed for two seconds and more while it recorded.
    assertThat(Double.parseDouble(probe.get("duration"))).isGreaterThan(1.5);
    assertThat(Files.size(video)).isEqualTo(seen.at("/listed/0/size_bytes").asLong());
  }

  @Test
  void theGeneratedClientStartsStopsListsAndDownloadsAndRefusesBadInput() throws Exception {
    Browser session = headful();
    String id = session.getSessionId();
    try {
      Replay started = replays.replaysStart(id, new ReplayStartRequest().framerate(5));
      assertRefused(
          () -> replays.replaysStart(id, new ReplayStartRequest().maxDurationInSeconds(100_000)),
          400,
          "validation_failed");
      assertRefused(() -> replays.replaysStart(id, null), 409, "replay_running");
      replays.replaysStop(id, started.getReplayId());
      replays.replaysStop(id, started.getReplayId());

      List<Replay> listed = replays.replaysList(id);
      assertThat(listed).extracting(Replay::getReplayId).containsExactly(started.getReplayId());
      File video = replays.replaysDownload(id, started.getReplayId());
      assertThat(video.length()).isEqualTo(listed.get(0).getSizeBytes());
      assertThat(probe(video.toPath()).get("codec_name")).isEqualTo("h264");

      assertRefused(() -> replays.replaysDownload(id, "rp0"), 404, "replay_not_found");
      assertRefused(() -> replays.replaysList("nobody"), 404, "session_not_found");
    } finally {
      browsers.deleteBrowser(id);
    }
    Browser headless = browsers.createBrowser(new BrowserCreateRequest().headless(true));
    try {
      assertRefused(() -> replays.replaysStart(headless.getSessionId(), null), 409, "no_display");
    } finally {
      browsers.deleteBrowser(headless.getSessionId());
    }
  }

  @Test
  void aServerStoppedWhileItRecordsEndsTheRecordingAndLeavesNothing() throws Exception {
    ServerProcess own = ServerProcess.start(ServerProcess.testSettings());
    String id;
    String replayId;
    try {
      Browser session =
          new BrowsersApi(own.client())
              .createBrowser(
                  new BrowserCreateRequest()
                      .headless(false)
                      .viewport(new BrowserViewport().width(640).height(480)));
      id = session.getSessionId();
      replayId = new BrowserReplaysApi(own.client()).replaysStart(id, null).getReplayId();
      assertThat(recorders(replayId)).hasSize(1);
    } finally {
      own.close();
    }
    // A JVM ended by SIGTERM exits 143 once its shutdown has run.
    assertThat(own.process().exitValue()).as(own.log()).isIn(0, 143);
    assertThat(recorders(replayId)).as("no recorder outlives its server").isEmpty();
    assertThat(own.sessionsRoot().resolve(id)).doesNotExist();
  }

  private Browser headful() throws Exception {
    return browsers.createBrowser(
        new BrowserCreateRequest()
            .headless(false)
            .viewport(new BrowserViewport().width(640).height(480)));
  }

  /** The ffmpeg processes recording replay {@code replayId}, which names itself in their title. */
  private static List<ProcessHandle> recorders(String replayId) {
    return ProcessHandle.allProcesses()
        .filter(p -> p.info().command().orElse("").endsWith("/ffmpeg"))
        .filter(
            p ->
                p.info()
                    .arguments()
                    .map(args -> List.of(args).contains("title=" + replayId))
                    .orElse(false))
        .toList();
  }

  /** What ffprobe says of the video's first stream, and its duration; it must read it all. */
  static Map<String, String> probe(Path video) throws Exception {
    Process ffprobe =
        new ProcessBuilder(
                "ffprobe",
                "-v",
                "error",
                "-show_entries",
                "stream=codec_name,width,height:format=duration",
                "-of",
                "default=noprint_wrappers=1",
                video.toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(ffprobe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(ffprobe.waitFor()).as(out).isZero();
    Map<String, String> said = new HashMap<>();
    out.lines()
        .map(line -> line.split("=", 2))
        .filter(pair -> pair.length == 2)
        .forEach(pair -> said.putIfAbsent(pair[0], pair[1]));
    return said;
  }
}
