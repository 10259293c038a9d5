package io.procgate.core;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What a caller asks to run, as the caller received it: the executor validates every field. Build
 * one with {@link #builder}.
 *
 * @param command an executable (a bare name is looked up in the child's PATH) or, when {@code args}
 *     is empty and it contains whitespace or shell syntax, a shell command
 * @param cwd the working directory asked for, if any
 * @param defaultCwd the owner's working directory, used when {@code cwd} is empty
 * @param ownerEnv the owner's variables, beneath {@code env}
 * @param env the request's variables, on top of everything
 * @param timeoutSeconds the timeout asked for; empty or 0 mean the default
 * @param terminal the size of the terminal to allocate, if any
 */
public record LaunchRequest(
    String command,
    List<String> args,
    Optional<String> cwd,
    Path defaultCwd,
    Map<String, String> ownerEnv,
    Map<String, String> env,
    Optional<String> asUser,
    boolean asRoot,
    OptionalInt timeoutSeconds,
    Optional<TerminalSize> terminal) {

  public LaunchRequest {
    Objects.requireNonNull(command, "command");
    Objects.requireNonNull(defaultCwd, "defaultCwd");
    args = List.copyOf(args);
    ownerEnv = Map.copyOf(ownerEnv);
    env = Map.copyOf(env);
  }

  /**
   * A request to run {@code command} in {@code defaultCwd} unless a cwd is set; every other field
   * starts empty.
   */
  public static Builder builder(String command, Path defaultCwd) {
    return new Builder(command, defaultCwd);
  }

  /** Builds a {@link LaunchRequest}; each setter replaces what was set before. */
  public static final class Builder {
    private final String command;
    private final Path defaultCwd;
    private List<String> args = List.of();
    private Optional<String> cwd = Optional.empty();
    private Map<String, String> ownerEnv = Map.of();
    private Map<String, String> env = Map.of();
    private Optional<String> asUser = Optional.empty();
    private boolean asRoot;
    private OptionalInt timeoutSeconds = OptionalInt.empty();
    private Optional<TerminalSize> terminal = Optional.empty();

    private Builder(String command, Path defaultCwd) {
      this.command = command;
      this.defaultCwd = defaultCwd;
    }

    public Builder args(List<String> value) {
      args = value;
      return this;
    }

    public Builder args(String... value) {
      return args(List.of(value));
    }

    public Builder cwd(String value) {
      cwd = Optional.ofNullable(value);
      return this;
    }

    public Builder ownerEnv(Map<String, String> value) {
      ownerEnv = value;
      return this;
    }

    public Builder env(Map<String, String> value) {
      env = value;
      return this;
    }

    public Builder asUser(String value) {
      asUser = Optional.ofNullable(value);
      return this;
    }

    public Builder asRoot(boolean value) {
      asRoot = value;
      return this;
    }

    /** The timeout asked for; null or 0 mean the default. */
    public Builder timeoutSeconds(Integer value) {
      timeoutSeconds = value == null ? OptionalInt.empty() : OptionalInt.of(value);
      return this;
    }

    public Builder terminal(TerminalSize value) {
      terminal = Optional.ofNullable(value);
      return this;
    }

    public LaunchRequest build() {
      return new LaunchRequest(
          command, args, cwd, defaultCwd, ownerEnv, env, asUser, asRoot, timeoutSeconds, terminal);
    }
  }
}
