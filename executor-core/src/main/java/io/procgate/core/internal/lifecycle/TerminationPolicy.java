package io.procgate.core.internal.lifecycle;

import io.procgate.core.Signal;
import java.time.Duration;

/**
 * How a process group is ended: {@code signal} to the whole group, then, if any process of it is
 * left after {@code grace}, SIGKILL, which no process can catch or ignore.
 */
public record TerminationPolicy(Signal signal, Duration grace) {
  public TerminationPolicy {
    if (grace.isNegative()) {
      throw new IllegalArgumentException("negative grace: " + grace);
    }
  }

  /** SIGTERM, then SIGKILL after {@code grace}. */
  public static TerminationPolicy termThenKill(Duration grace) {
    return new TerminationPolicy(Signal.TERM, grace);
  }
}
