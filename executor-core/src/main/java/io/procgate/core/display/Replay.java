package io.procgate.core.display;

import java.time.Instant;
import java.util.Optional;

/**
 * A recording of a screen, as it is now.
 *
 * @param finishedAt empty while it records
 * @param sizeBytes the video's size so far
 */
public record Replay(String id, Instant startedAt, Optional<Instant> finishedAt, long sizeBytes) {
  public boolean recording() {
    return finishedAt.isEmpty();
  }
}
