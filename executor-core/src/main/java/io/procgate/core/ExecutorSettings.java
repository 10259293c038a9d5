package io.procgate.core;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Everything the executor is configured with, fixed at start.
 *
 * @param defaultUser the account processes run as when a request names none; the server's own when
 *     empty
 * @param defaultTimeout the timeout of a request that gives none (or 0)
 * @param maxTimeout the largest timeout a request may ask for
 * @param killGrace how long a process group has between SIGTERM and SIGKILL
 * @param outputCap bytes kept of each of a synchronous execution's stdout and stderr
 * @param drainWait how long a synchronous execution waits, after its process exited, for the output
 *     pipes to close when background processes still hold them
 * @param path the PATH of every child, unless the request sets its own
 * @param lang the LANG of every child, unless the request sets its own
 * @param setpriv the {@code setpriv} binary used to switch user
 * @param reapOrphans whether to become a child subreaper, so descendants whose parent died are
 *     re-parented to this JVM and ended and reaped by it
 */
public record ExecutorSettings(
    Optional<String> defaultUser,
    Duration defaultTimeout,
    Duration maxTimeout,
    Duration killGrace,
    int outputCap,
    Duration drainWait,
    String path,
    String lang,
    Path setpriv,
    boolean reapOrphans) {

  public static final String DEFAULT_PATH =
      "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

  public ExecutorSettings {
    if (defaultTimeout.isNegative() || defaultTimeout.isZero()) {
      throw new IllegalArgumentException("the default timeout must be positive");
    }
    if (maxTimeout.compareTo(defaultTimeout) < 0) {
      throw new IllegalArgumentException("the maximum timeout is below the default timeout");
    }
    if (outputCap < 0) {
      throw new IllegalArgumentException("negative output cap");
    }
  }

  /** The settings a fresh server starts with. */
  public static ExecutorSettings defaults() {
    return new ExecutorSettings(
        Optional.empty(),
        Duration.ofSeconds(30),
        Duration.ofHours(1),
        Duration.ofSeconds(2),
        16 * 1024 * 1024,
        Duration.ofMillis(100),
        DEFAULT_PATH,
        "C.UTF-8",
        Path.of("/usr/bin/setpriv"),
        true);
  }

  public TerminationPolicy terminationPolicy() {
    return TerminationPolicy.termThenKill(killGrace);
  }
}
