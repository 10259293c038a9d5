package io.procgate.core.launch;

import java.time.Instant;

/**
 * A child just started, with the server's ends of its standard streams: non-blocking,
 * close-on-exec, and owned by whoever takes this value. A descriptor the child does not have is -1.
 *
 * @param pid the child's pid, also its process group and session id
 * @param startNanos {@link System#nanoTime()} just before the spawn
 * @param terminal the master side of the child's terminal; then stdout carries everything and stdin
 *     and stderr are -1
 */
public record SpawnedChild(
    int pid, long startNanos, Instant startedAt, int stdin, int stdout, int stderr, int terminal) {}
