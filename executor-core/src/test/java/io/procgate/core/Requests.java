package io.procgate.core;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/** Builds {@link LaunchRequest}s for tests, with every optional field empty by default. */
final class Requests {
  private String command;
  private List<String> args = List.of();
  private Optional<String> cwd = Optional.empty();
  private Path defaultCwd;
  private Map<String, String> ownerEnv = Map.of();
  private Map<String, String> env = Map.of();
  private Optional<String> asUser = Optional.empty();
  private boolean asRoot;
  private OptionalInt timeoutSeconds = OptionalInt.empty();
  private Optional<TerminalSize> terminal = Optional.empty();

  private Requests(Path defaultCwd, String command, String... args) {
    this.defaultCwd = defaultCwd;
    this.command = command;
    this.args = List.of(args);
  }

  static Requests command(Path defaultCwd, String command, String... args) {
    return new Requests(defaultCwd, command, args);
  }

  Requests cwd(String value) {
    cwd = Optional.of(value);
    return this;
  }

  Requests ownerEnv(Map<String, String> value) {
    ownerEnv = value;
    return this;
  }

  Requests env(Map<String, String> value) {
    env = value;
    return this;
  }

  Requests asUser(String value) {
    asUser = Optional.of(value);
    return this;
  }

  Requests asRoot() {
    asRoot = true;
    return this;
  }

  Requests timeout(int seconds) {
    timeoutSeconds = OptionalInt.of(seconds);
    return this;
  }

  Requests terminal(int rows, int cols) {
    terminal = Optional.of(new TerminalSize(rows, cols));
    return this;
  }

  LaunchRequest build() {
    return new LaunchRequest(
        command, args, cwd, defaultCwd, ownerEnv, env, asUser, asRoot, timeoutSeconds, terminal);
  }
}
