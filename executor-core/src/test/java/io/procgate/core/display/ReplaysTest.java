package io.procgate.core.display;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.procgate.core.ExecutorSettings;
import io.procgate.core.ProcessExecutor;
import io.procgate.core.ProcessTable;
import io.procgate.core.browser.Browser;
import io.procgate.core.browser.BrowserSettings;
import io.procgate.core.browser.BrowserSpec;
import io.procgate.core.browser.Browsers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Recordings of a headful Chromium's real display, checked with ffprobe. */
@Timeout(120)
class ReplaysTest {
  private static final Path CHROMIUM = Path.of("/usr/lib/chromium/chromium");
  private static final Path XVFB = Path.of("/usr/bin/Xvfb");
  private static final Path FFMPEG = Path.of("/usr/bin/ffmpeg");
  // Noise, redrawn all the time: every frame is large, so that a size limit is reached at once.
  private static final String NOISE_PAGE =
      "data:text/html,<body style='margin:0'><canvas id=c width=640 height=480></canvas><script>"
          + "const g=c.getContext('2d');setInterval(()=>{for(let i=0;i<400;i++){"
          + "g.fillStyle='%23'+Math.floor(Math.random()*16777215).toString(16).padStart(6,'0');"
          + "g.fillRect(Math.random()*640,Math.random()*480,24,24)}},20)</script></body>";
  private static final ReplayLimits LIMITS = new ReplayLimits(64 << 20, Duration.ofMinutes(1), 2);

  @TempDir Path dir;
  private ProcessExecutor executor;
  private ProcessTable owner;
  private Browsers browsers;
  private Browser browser;

  @BeforeEach
  void start() throws Exception {
    assumeTrue(
        Files.isExecutable(CHROMIUM) && Files.isExecutable(XVFB) && Files.isExecutable(FFMPEG),
        "no Chromium, Xvfb or ffmpeg");
    executor =
        new ProcessExecutor(ExecutorSettings.builder().killGrace(Duration.ofSeconds(5)).build());
    owner = executor.newTable();
    browsers =
        new Browsers(
            executor,
            new BrowserSettings(
                CHROMIUM,
                List.of(),
                Duration.ofSeconds(30),
                3,
                Duration.ofMinutes(1),
                Duration.ofMillis(100),
                XVFB,
                LIMITS));
    browser =
        browsers
            .start(new BrowserSpec(false, false, Optional.of(NOISE_PAGE), 640, 480), owner, dir)
            .get(40, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    if (executor != null) {
      browser.close().get(30, TimeUnit.SECONDS);
      executor.terminateAll(owner).get(30, TimeUnit.SECONDS);
      browsers.close();
      executor.close();
    }
  }

  @Test
  void aRecordingThatReachesItsDurationIsAWholeH264Video() throws Exception {
    Replays replays = browser.replays().orElseThrow();
    Replay started =
        replays.start(10, Optional.of(Duration.ofSeconds(3))).get(20, TimeUnit.SECONDS);
    assertThat(started.recording()).isTrue();
    assertThat(replays.list()).extracting(Replay::id).containsExactly(started.id());

    await().atMost(Duration.ofSeconds(30)).until(() -> !replays.list().get(0).recording());

    Map<String, String> probe = probe(replays.video(started.id()));
    assertThat(probe.get("codec_name")).isEqualTo("h264");
    assertThat(probe.get("width")).isEqualTo("640");
    assertThat(probe.get("height")).isEqualTo("480");
    assertThat(Double.parseDouble(probe.get("duration"))).isBetween(2.0, 3.5);
    assertThat(replays.list().get(0).sizeBytes())
        .isEqualTo(Files.size(replays.video(started.id())));
    assertThat(dir.resolve(".procgate/replays")).isDirectoryNotContaining("glob:**.part");
  }

  @Test
  void aStoppedRecordingIsWholeAndAStopAfterItChangesNothing() throws Exception {
    Replays replays = browser.replays().orElseThrow();
    Replay started = replays.start(10, Optional.empty()).get(20, TimeUnit.SECONDS);

    assertThatThrownBy(() -> replays.start(10, Optional.empty()).get(10, TimeUnit.SECONDS))
        .hasCauseInstanceOf(DisplayException.class)
        .cause()
        .satisfies(e -> assertKind(e, DisplayException.Kind.REPLAY_RUNNING));
    assertThatThrownBy(() -> replays.video(started.id()))
        .satisfies(e -> assertKind(e, DisplayException.Kind.REPLAY_RUNNING));

    replays.stop(started.id()).get(30, TimeUnit.SECONDS);
    replays.stop(started.id()).get(1, TimeUnit.SECONDS);

    Map<String, String> probe = probe(replays.video(started.id()));
    assertThat(probe.get("codec_name")).isEqualTo("h264");
    assertThat(Integer.parseInt(probe.get("nb_read_frames"))).isPositive();
    assertThatThrownBy(() -> replays.stop("rp000000000000"))
        .satisfies(e -> assertKind(e, DisplayException.Kind.REPLAY_NOT_FOUND));
  }

  @Test
  void aRecordingAtItsSizeLimitOrKilledIsCutWhereItsLastWholeFragmentEnds() throws Exception {
    Replays small =
        new Replays(
            executor,
            owner,
            browser.display().orElseThrow(),
            640,
            480,
            Files.createDirectory(dir.resolve("small")),
            new ReplayLimits(1 << 20, Duration.ofMinutes(1), 2));
    Replay full = small.start(20, Optional.empty()).get(20, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(60)).until(() -> !small.list().get(0).recording());
    Path video = small.video(full.id());
    assertThat(Files.size(video)).isPositive().isLessThanOrEqualTo(1 << 20);
    assertThat(Integer.parseInt(probe(video).get("nb_read_frames"))).isPositive();

    Replays replays = browser.replays().orElseThrow();
    Replay killed = replays.start(20, Optional.empty()).get(20, TimeUnit.SECONDS);
    // Two fragments at least: a keyframe every two seconds.
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> replays.list().get(0).sizeBytes() > 512 << 10);
    ProcessHandle ffmpeg =
        ProcessHandle.allProcesses()
            .filter(p -> p.info().command().orElse("").endsWith("/ffmpeg"))
            .filter(
                p ->
                    p.info()
                        .arguments()
                        .map(a -> List.of(a).contains("title=" + killed.id()))
                        .orElse(false))
            .findFirst()
            .orElseThrow();
    ffmpeg.destroyForcibly();
    replays.stop(killed.id()).get(30, TimeUnit.SECONDS);
    assertThat(Integer.parseInt(probe(replays.video(killed.id())).get("nb_read_frames")))
        .isPositive();
  }

  @Test
  void beyondTheKeptRecordingsTheOldestGoes() throws Exception {
    Replays replays = browser.replays().orElseThrow();
    Replay first = record(replays);
    Replay second = record(replays);
    Replay third = record(replays);

    assertThat(replays.list()).extracting(Replay::id).containsExactly(second.id(), third.id());
    assertThat(dir.resolve(".procgate/replays").resolve(first.id() + ".mp4")).doesNotExist();
    assertThatThrownBy(() -> replays.video(first.id()))
        .satisfies(e -> assertKind(e, DisplayException.Kind.REPLAY_NOT_FOUND));
  }

  @Test
  void theSessionsEndStopsItsRecording() throws Exception {
    Replays replays = browser.replays().orElseThrow();
    Replay started = replays.start(10, Optional.empty()).get(20, TimeUnit.SECONDS);

    browser.close().get(30, TimeUnit.SECONDS);

    assertThat(replays.list().get(0).recording()).isFalse();
    assertThat(probe(replays.video(started.id())).get("codec_name")).isEqualTo("h264");
    assertThatThrownBy(() -> replays.start(10, Optional.empty()).get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class);
  }

  private static Replay record(Replays replays) throws Exception {
    Replay started = replays.start(10, Optional.empty()).get(20, TimeUnit.SECONDS);
    replays.stop(started.id()).get(30, TimeUnit.SECONDS);
    return started;
  }

  private static void assertKind(Throwable e, DisplayException.Kind kind) {
    assertThat(e).isInstanceOf(DisplayException.class);
    assertThat(((DisplayException) e).kind()).isEqualTo(kind);
  }

  /** What ffprobe says of the video's first stream, and its duration; it must read it all. */
  private static Map<String, String> probe(Path video) throws Exception {
    Process ffprobe =
        new ProcessBuilder(
                "ffprobe",
                "-v",
                "error",
                "-count_frames",
                "-show_entries",
                "stream=codec_name,width,height,nb_read_frames:format=duration",
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
