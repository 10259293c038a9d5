package io.procgate.server.resource;

import io.procgate.core.LaunchRequest;
import io.procgate.core.TerminalSize;
import io.procgate.server.session.Session;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/** Builds a {@link LaunchRequest} from the fields exec and spawn requests share. */
final class LaunchRequests {
  private LaunchRequests() {}

  static LaunchRequest of(
      Session session,
      String command,
      List<String> args,
      String cwd,
      Map<String, String> env,
      String asUser,
      Boolean asRoot,
      Integer timeoutSec,
      Optional<TerminalSize> terminal) {
    return new LaunchRequest(
        command,
        Required.list("args", args),
        Optional.ofNullable(cwd),
        session.workDir(),
        session.processEnv(),
        Required.map("env", env),
        Optional.ofNullable(asUser),
        Required.value("as_root", asRoot),
        timeoutSec == null ? OptionalInt.empty() : OptionalInt.of(timeoutSec),
        terminal);
  }
}
