package io.procgate.core.internal.launch;

import io.procgate.core.internal.lifecycle.ChildReaper;
import java.time.Instant;

/**
 * A child just started, with the server's ends of its standard streams: non-blocking,
 * close-on-exec, and owned by whoever takes this value. A descriptor the child does not have is -1.
 *
 * @param process the child's pid, also its process group and session id, and its pidfd
 * @param startNanos {@link System#nanoTime()} just before the spawn
 * @param terminal the master side of the child's terminal; then stdout carries everything and stdin
 *     and stderr are -1
 */
public record SpawnedChild(
    ChildReaper.Child process,
    long startNanos,
    Instant startedAt,
    int stdin,
    int stdout,
    int stderr,
    int terminal) {

  public int pid() {
    return process.pid();
  }
}
