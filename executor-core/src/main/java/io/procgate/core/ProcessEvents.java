package io.procgate.core;

import java.time.Duration;

/**
 * What becomes of the processes requests start, told to whoever keeps the server's counts. Called
 * on the executor's own threads, at most once per process: implementations only count, never block.
 */
@FunctionalInterface
public interface ProcessEvents {
  /** Tells nobody. */
  ProcessEvents NONE = end -> {};

  /** How a process was started. */
  enum Kind {
    EXEC,
    SPAWN
  }

  /** How a process ended, or that it never ran. */
  enum Outcome {
    EXITED,
    SIGNALLED,
    TIMED_OUT,
    FAILED_TO_START;

    static Outcome of(ExitStatus status, boolean timedOut) {
      if (timedOut) {
        return TIMED_OUT;
      }
      return status.signal() == 0 ? EXITED : SIGNALLED;
    }
  }

  /**
   * One process's end.
   *
   * @param duration from just before the spawn to its exit; zero when it failed to start
   * @param outputBytes what it wrote to stdout and stderr together, kept or not
   */
  record End(Kind kind, Outcome outcome, Duration duration, long outputBytes) {
    static End failedToStart(Kind kind) {
      return new End(kind, Outcome.FAILED_TO_START, Duration.ZERO, 0);
    }
  }

  void ended(End end);
}
