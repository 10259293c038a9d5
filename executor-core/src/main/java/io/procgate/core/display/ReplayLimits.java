package io.procgate.core.display;

import java.time.Duration;

/**
 * What a session's recordings may take.
 *
 * @param maxBytes the largest video; a recording that reaches it stops there, whole
 * @param maxDuration the longest recording, and the most a start may ask for
 * @param kept how many finished recordings a session keeps: a start beyond them deletes the oldest
 */
public record ReplayLimits(long maxBytes, Duration maxDuration, int kept) {
  public ReplayLimits {
    if (maxBytes < 64 * 1024 || maxDuration.toSeconds() < 1 || kept < 1) {
      throw new IllegalArgumentException(
          "replays need at least 64 KiB, a second, and one kept recording");
    }
  }
}
