package io.procgate.core;

import io.procgate.core.internal.lifecycle.TerminationPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Everything the executor is configured with, fixed at start. Build one with {@link #builder()},
 * which starts from the defaults.
 *
 * @param defaultUser the account processes run as when a request names none; the server's own when
 *     empty
 * @param sessionUids where each owner made by {@link ProcessExecutor#newTable(String, Path)} gets
 *     an account of its own, which its processes run as when a request names none; empty to have
 *     them all run as {@code defaultUser}
 * @param defaultTimeout the timeout of a request that gives none (or 0)
 * @param maxTimeout the largest timeout a request may ask for
 * @param killGrace how long a process group has between SIGTERM and SIGKILL
 * @param outputCap bytes kept of each of a synchronous execution's stdout and stderr
 * @param drainWait how long a synchronous execution waits, after its process exited, for the output
 *     pipes to close when background processes still hold them
 * @param outputBuffer bytes of output retained per spawned process; older output is dropped
 * @param maxProcesses processes an owner may run at once, synchronous executions included
 * @param retention how long an exited spawned process stays queryable
 * @param retainedExited how many exited spawned processes an owner keeps at most
 * @param stdinWait how long a write to a spawned process's stdin waits for the process to read
 * @param path the PATH of every child, unless the request sets its own
 * @param lang the LANG of every child, unless the request sets its own
 * @param setpriv the {@code setpriv} binary used to switch user
 * @param containment how owners' processes are held together and limited
 */
public record ExecutorSettings(
    Optional<String> defaultUser,
    Optional<UidRange> sessionUids,
    Duration defaultTimeout,
    Duration maxTimeout,
    Duration killGrace,
    int outputCap,
    Duration drainWait,
    int outputBuffer,
    int maxProcesses,
    Duration retention,
    int retainedExited,
    Duration stdinWait,
    String path,
    String lang,
    Path setpriv,
    ContainmentSettings containment) {

  public static final String DEFAULT_PATH =
      "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

  public ExecutorSettings {
    requirePositive("default timeout", defaultTimeout);
    requirePositive("stdin wait", stdinWait);
    if (maxTimeout.compareTo(defaultTimeout) < 0) {
      throw new IllegalArgumentException("the maximum timeout is below the default timeout");
    }
    if (killGrace.isNegative() || drainWait.isNegative() || retention.isNegative()) {
      throw new IllegalArgumentException("negative duration in the executor settings");
    }
    if (outputCap < 0 || outputBuffer < 1 || maxProcesses < 1 || retainedExited < 0) {
      throw new IllegalArgumentException("output and process limits out of range");
    }
  }

  private static void requirePositive(String what, Duration duration) {
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException("the " + what + " must be positive");
    }
  }

  public static ExecutorSettings defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  TerminationPolicy terminationPolicy() {
    return TerminationPolicy.termThenKill(killGrace);
  }

  /** Builds settings, starting from the defaults a fresh server runs with. */
  public static final class Builder {
    private Optional<String> defaultUser = Optional.empty();
    private Optional<UidRange> sessionUids = Optional.empty();
    private Duration defaultTimeout = Duration.ofSeconds(30);
    private Duration maxTimeout = Duration.ofHours(1);
    private Duration killGrace = Duration.ofSeconds(2);
    private int outputCap = 16 * 1024 * 1024;
    private Duration drainWait = Duration.ofMillis(100);
    private int outputBuffer = 8 * 1024 * 1024;
    private int maxProcesses = 64;
    private Duration retention = Duration.ofMinutes(10);
    private int retainedExited = 100;
    private Duration stdinWait = Duration.ofSeconds(10);
    private String path = DEFAULT_PATH;
    private String lang = "C.UTF-8";
    private Path setpriv = Path.of("/usr/bin/setpriv");
    private ContainmentSettings containment = ContainmentSettings.defaults();

    private Builder() {}

    public Builder defaultUser(Optional<String> value) {
      defaultUser = value;
      return this;
    }

    public Builder sessionUids(Optional<UidRange> value) {
      sessionUids = value;
      return this;
    }

    public Builder defaultTimeout(Duration value) {
      defaultTimeout = value;
      return this;
    }

    public Builder maxTimeout(Duration value) {
      maxTimeout = value;
      return this;
    }

    public Builder killGrace(Duration value) {
      killGrace = value;
      return this;
    }

    public Builder outputCap(int value) {
      outputCap = value;
      return this;
    }

    public Builder drainWait(Duration value) {
      drainWait = value;
      return this;
    }

    public Builder outputBuffer(int value) {
      outputBuffer = value;
      return this;
    }

    public Builder maxProcesses(int value) {
      maxProcesses = value;
      return this;
    }

    public Builder retention(Duration value) {
      retention = value;
      return this;
    }

    public Builder retainedExited(int value) {
      retainedExited = value;
      return this;
    }

    public Builder stdinWait(Duration value) {
      stdinWait = value;
      return this;
    }

    public Builder path(String value) {
      path = value;
      return this;
    }

    public Builder lang(String value) {
      lang = value;
      return this;
    }

    public Builder setpriv(Path value) {
      setpriv = value;
      return this;
    }

    public Builder containment(ContainmentSettings value) {
      containment = value;
      return this;
    }

    public ExecutorSettings build() {
      return new ExecutorSettings(
          defaultUser,
          sessionUids,
          defaultTimeout,
          maxTimeout,
          killGrace,
          outputCap,
          drainWait,
          outputBuffer,
          maxProcesses,
          retention,
          retainedExited,
          stdinWait,
          path,
          lang,
          setpriv,
          containment);
    }
  }
}
