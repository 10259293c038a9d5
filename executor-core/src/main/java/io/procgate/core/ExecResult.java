package io.procgate.core;

import java.time.Duration;

/**
 * How a synchronous execution ended.
 *
 * @param duration from just before the spawn to the moment the exit was seen, on the monotonic
 *     clock
 * @param timedOut whether the timeout ended the process group; the output is what came before
 */
public record ExecResult(
    ExitStatus status,
    CapturedOutput stdout,
    CapturedOutput stderr,
    Duration duration,
    boolean timedOut) {}
