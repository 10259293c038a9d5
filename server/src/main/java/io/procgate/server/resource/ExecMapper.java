package io.procgate.server.resource;

import io.procgate.core.ExecResult;
import io.procgate.core.LaunchRequest;
import io.procgate.server.api.model.ProcessExecRequest;
import io.procgate.server.api.model.ProcessExecResult;
import io.procgate.server.session.Session;
import java.util.Optional;

/** Translates {@code processExec} DTOs to and from the executor's values. */
final class ExecMapper {
  private ExecMapper() {}

  static LaunchRequest toLaunchRequest(ProcessExecRequest body, Session session) {
    return LaunchRequests.of(
        session,
        body.getCommand(),
        body.getArgs(),
        body.getCwd(),
        body.getEnv(),
        body.getAsUser(),
        body.getAsRoot(),
        body.getTimeoutSec(),
        Optional.empty());
  }

  static ProcessExecResult toDto(ExecResult result) {
    return new EncodedExecResult(result.stdout(), result.stderr())
        .exitCode(result.status().exitCode())
        .signal(result.status().signalName().orElse(null))
        .timedOut(result.timedOut())
        .durationMs((int) Math.min(Integer.MAX_VALUE, result.duration().toMillis()))
        .stdoutTruncated(result.stdout().truncated())
        .stderrTruncated(result.stderr().truncated())
        .stdoutTotalBytes(result.stdout().totalBytes())
        .stderrTotalBytes(result.stderr().totalBytes());
  }
}
