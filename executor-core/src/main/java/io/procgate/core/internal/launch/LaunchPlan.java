package io.procgate.core.internal.launch;

import io.procgate.core.Account;
import io.procgate.core.TerminalSize;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A validated request: everything needed to start the child, decided before anything starts.
 *
 * @param executable the absolute path of the file the child executes
 * @param argv the child's arguments, {@code argv[0]} included
 * @param envp the child's environment as {@code NAME=value} entries
 * @param user the account the child runs as
 * @param switchUser whether reaching {@code user} needs a user switch
 */
public record LaunchPlan(
    Path executable,
    List<String> argv,
    List<String> envp,
    Path cwd,
    Account user,
    boolean switchUser,
    Duration timeout,
    Optional<TerminalSize> terminal) {

  public LaunchPlan {
    argv = List.copyOf(argv);
    envp = List.copyOf(envp);
  }

  /** The command line as a person would type it, for listings and logs. */
  public String commandLine() {
    return String.join(" ", argv);
  }
}
