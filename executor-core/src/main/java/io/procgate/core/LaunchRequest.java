package io.procgate.core;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What a caller asks to run, as the caller received it: the executor validates every field.
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
    args = List.copyOf(args);
    ownerEnv = Map.copyOf(ownerEnv);
    env = Map.copyOf(env);
  }
}
