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
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A headful Chromium's real display, seen and driven through {@link Screen}. */
@Timeout(90)
class ScreenTest {
  private static final Path CHROMIUM = Path.of("/usr/lib/chromium/chromium");
  private static final Path XVFB = Path.of("/usr/bin/Xvfb");
  private static final String RED_PAGE =
      "data:text/html,<body style='margin:0;background:rgb(200,30,40)'></body>";

  @TempDir Path dir;
  private ProcessExecutor executor;
  private ProcessTable owner;
  private Browsers browsers;
  private Screen screen;
  private XDisplay display;

  @BeforeEach
  void start() throws Exception {
    assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(XVFB), "no Chromium or Xvfb");
    executor =
        new ProcessExecutor(ExecutorSettings.builder().killGrace(Duration.ofSeconds(1)).build());
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
                new ReplayLimits(1 << 20, Duration.ofMinutes(1), 2)));
    Browser browser =
        browsers
            .start(new BrowserSpec(false, false, Optional.of(RED_PAGE), 800, 600), owner, dir)
            .get(40, TimeUnit.SECONDS);
    screen = browser.screen().orElseThrow();
    display = browser.display().orElseThrow();
  }

  @AfterEach
  void stop() throws Exception {
    if (executor != null) {
      executor.terminateAll(owner).get(30, TimeUnit.SECONDS);
      browsers.close();
      executor.close();
    }
  }

  @Test
  void aScreenshotIsAPngOfTheScreenOrOfARegion() throws Exception {
    assertThat(screen.width()).isEqualTo(800);
    // The page paints a moment after the browser answers CDP.
    BufferedImage full =
        await()
            .atMost(Duration.ofSeconds(20))
            .until(() -> png(screen.capture(Optional.empty()).get()), ScreenTest::isRedInTheMiddle);
    assertThat(full.getWidth()).isEqualTo(800);
    assertThat(full.getHeight()).isEqualTo(600);

    BufferedImage region =
        png(screen.capture(Optional.of(new Region(300, 400, 120, 50))).get(10, TimeUnit.SECONDS));
    assertThat(region.getWidth()).isEqualTo(120);
    assertThat(region.getHeight()).isEqualTo(50);
    assertThat(region.getRGB(60, 25) & 0xffffff).isEqualTo(0xc81e28);
  }

  @Test
  void thePointerGoesWhereItIsSentStraightOrAlongACurve() throws Exception {
    screen.perform(List.of(move(120, 340, false))).get(10, TimeUnit.SECONDS);
    assertThat(screen.pointer().get(10, TimeUnit.SECONDS)).isEqualTo(new Point(120, 340));

    screen.perform(List.of(move(700, 100, true))).get(10, TimeUnit.SECONDS);
    assertThat(screen.pointer().get(10, TimeUnit.SECONDS)).isEqualTo(new Point(700, 100));
  }

  @Test
  void aHiddenPointerIsLeftOutOfGrabbedFramesUntilShownAndEndsWithTheSession() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/ffmpeg")), "no ffmpeg");
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/unclutter-classic")), "no unclutter");
    screen.perform(List.of(move(400, 300, false))).get(10, TimeUnit.SECONDS);
    // x11grab draws the pointer as replays and the live view show it; xwd never does.
    await().atMost(Duration.ofSeconds(20)).until(() -> pointerPixels(400, 300) > 0);

    screen.perform(List.of(new ScreenAction.SetCursor(true))).get(10, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(20)).until(() -> pointerPixels(400, 300) == 0);
    // Hiding twice keeps the one unclutter; moving and clicking do not show the pointer again.
    screen
        .perform(
            List.of(
                new ScreenAction.SetCursor(true),
                move(300, 400, false),
                new ScreenAction.Click(
                    new Point(310, 410), MouseButton.LEFT, ScreenAction.Press.CLICK, 1, List.of())))
        .get(10, TimeUnit.SECONDS);
    assertThat(unclutters()).hasSize(1);
    assertThat(pointerPixels(310, 410)).isZero();

    screen.perform(List.of(new ScreenAction.SetCursor(false))).get(10, TimeUnit.SECONDS);
    assertThat(unclutters()).isEmpty();
    await().atMost(Duration.ofSeconds(20)).until(() -> pointerPixels(310, 410) > 0);

    screen.perform(List.of(new ScreenAction.SetCursor(true))).get(10, TimeUnit.SECONDS);
    assertThat(unclutters()).hasSize(1);
    screen.close().get(10, TimeUnit.SECONDS);
    assertThat(unclutters()).isEmpty();
    assertThatThrownBy(
            () ->
                screen.perform(List.of(new ScreenAction.SetCursor(true))).get(10, TimeUnit.SECONDS))
        .hasMessageContaining("ending");
  }

  /** How many pixels not the page's red are within 20 of ({@code x}, {@code y}) on one frame. */
  private int pointerPixels(int x, int y) throws Exception {
    ProcessBuilder grab =
        new ProcessBuilder(
                "ffmpeg",
                "-loglevel",
                "error",
                "-f",
                "x11grab",
                "-draw_mouse",
                "1",
                "-video_size",
                "800x600",
                "-i",
                display.name(),
                "-frames:v",
                "1",
                "-f",
                "image2pipe",
                "-vcodec",
                "png",
                "-")
            .redirectError(ProcessBuilder.Redirect.DISCARD);
    grab.environment().putAll(display.environment());
    Process ffmpeg = grab.start();
    BufferedImage frame = png(ffmpeg.getInputStream().readAllBytes());
    assertThat(ffmpeg.waitFor()).isZero();
    int pixels = 0;
    for (int i = x - 20; i < x + 20; i++) {
      for (int j = y - 20; j < y + 20; j++) {
        if ((frame.getRGB(i, j) & 0xffffff) != 0xc81e28) {
          pixels++;
        }
      }
    }
    return pixels;
  }

  private List<ProcessHandle> unclutters() {
    return ProcessHandle.allProcesses()
        .filter(
            process ->
                process.info().command().orElse("").endsWith("/unclutter-classic")
                    && List.of(process.info().arguments().orElse(new String[0]))
                        .contains(display.name()))
        .toList();
  }

  @Test
  void badActionsAreRefusedBeforeAnyIsDone() throws Exception {
    screen.perform(List.of(move(10, 10, false))).get(10, TimeUnit.SECONDS);

    assertRefused(
        List.of(new ScreenAction.PressKeys(List.of("Enter"), Duration.ZERO, List.of())),
        DisplayException.Kind.UNKNOWN_KEY,
        "unknown key name 'Enter'");
    assertRefused(
        List.of(new ScreenAction.PressKeys(List.of("ctrl+"), Duration.ZERO, List.of())),
        DisplayException.Kind.UNKNOWN_KEY,
        "'ctrl+'");
    assertRefused(List.of(move(800, 10, false)), DisplayException.Kind.OFF_SCREEN, "(800, 10)");
    assertRefused(
        List.of(move(50, 50, false), move(-1, 0, false)),
        DisplayException.Kind.OFF_SCREEN,
        "action 1 (move_mouse), so none was done");
    assertRefused(
        List.of(new ScreenAction.TypeText("nul\u0000here", Duration.ZERO)),
        DisplayException.Kind.INVALID_ACTION,
        "U+0000");
    assertRefused(
        List.of(new ScreenAction.TypeText("half \ud83d", Duration.ZERO)),
        DisplayException.Kind.INVALID_ACTION,
        "unpaired surrogate");
    assertRefused(
        List.of(
            new ScreenAction.Sleep(Duration.ofSeconds(40)),
            new ScreenAction.Sleep(Duration.ofSeconds(30))),
        DisplayException.Kind.INVALID_ACTION,
        "70000 ms in all");
    assertRefused(
        List.of(
            new ScreenAction.Drag(
                IntStream.range(1, 13).mapToObj(i -> new Point(i, i)).toList(),
                MouseButton.LEFT,
                Duration.ZERO,
                1000,
                Duration.ZERO,
                false,
                Optional.empty(),
                List.of())),
        DisplayException.Kind.INVALID_ACTION,
        "at most 10000 times");
    assertThatThrownBy(() -> screen.capture(Optional.of(new Region(700, 0, 200, 10))).get())
        .hasCauseInstanceOf(DisplayException.class)
        .hasMessageContaining("not inside the 800x600 screen");

    // Modifier aliases and combinations as xdotool takes them pass.
    screen
        .perform(
            List.of(
                new ScreenAction.PressKeys(
                    List.of("CTRL+Shift+Tab", "Escape"), Duration.ZERO, List.of("alt"))))
        .get(10, TimeUnit.SECONDS);
    assertThat(screen.pointer().get(10, TimeUnit.SECONDS)).isEqualTo(new Point(10, 10));
  }

  private void assertRefused(List<ScreenAction> actions, DisplayException.Kind kind, String text) {
    assertThatThrownBy(() -> screen.perform(actions).get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(DisplayException.class)
        .hasMessageContaining(text)
        .satisfies(e -> assertThat(((DisplayException) e).kind()).isEqualTo(kind));
  }

  private static ScreenAction move(int x, int y, boolean smooth) {
    return new ScreenAction.Move(
        new Point(x, y),
        smooth,
        smooth ? Optional.of(Duration.ofMillis(200)) : Optional.empty(),
        List.of());
  }

  private static BufferedImage png(byte[] bytes) throws Exception {
    BufferedImage image = ImageIO.read(new ByteArrayInputStream(bytes));
    assertThat(image).as("a PNG ImageIO reads").isNotNull();
    return image;
  }

  private static boolean isRedInTheMiddle(BufferedImage image) {
    return (image.getRGB(400, 300) & 0xffffff) == 0xc81e28;
  }
}
