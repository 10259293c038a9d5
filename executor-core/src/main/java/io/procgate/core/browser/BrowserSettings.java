package io.procgate.core.browser;

import io.procgate.core.display.ReplayLimits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * How sessions' browsers are run, fixed at start.
 *
 * @param executable the Chromium binary itself (Debian's {@code /usr/lib/chromium/chromium}, not
 *     the {@code /usr/bin/chromium} wrapper script, which takes seconds to start)
 * @param extraFlags flags added to every launch, after procgate's own
 * @param readyTimeout how long a start may take, from the spawn to the first answer over CDP
 * @param maxRestarts how many times a browser that dies on its own is restarted within {@code
 *     restartWindow} before it is left failed
 * @param restartBackoff the wait before the first restart; it doubles with each further one
 * @param xvfb the X virtual frame buffer that headful browsers draw on
 * @param replays what the recordings of a headful browser's screen may take
 */
public record BrowserSettings(
    Path executable,
    List<String> extraFlags,
    Duration readyTimeout,
    int maxRestarts,
    Duration restartWindow,
    Duration restartBackoff,
    Path xvfb,
    ReplayLimits replays) {

  public BrowserSettings {
    extraFlags = List.copyOf(extraFlags);
    if (readyTimeout.isNegative() || readyTimeout.isZero()) {
      throw new IllegalArgumentException("the browser's start timeout must be positive");
    }
    if (maxRestarts < 0 || restartBackoff.isNegative() || restartWindow.isNegative()) {
      throw new IllegalArgumentException("the browser's restart policy is out of range");
    }
  }

  /** Whether the browser binary is there to run. */
  public boolean installed() {
    return Files.isRegularFile(executable) && Files.isExecutable(executable);
  }

  /**
   * The longest directory that sessions' directories (24 more characters each) may live in for
   * their browsers to run.
   */
  public static int maxSessionsRoot() {
    return BrowserDirectories.MAX_SESSION_DIR - 25;
  }

  /** Whether headful browsers can be given a display. */
  public boolean headfulSupported() {
    return Files.isRegularFile(xvfb) && Files.isExecutable(xvfb);
  }
}
