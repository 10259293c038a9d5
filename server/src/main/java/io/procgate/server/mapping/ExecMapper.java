package io.procgate.server.mapping;

import io.procgate.core.ExecResult;
import io.procgate.core.LaunchRequest;
import io.procgate.server.api.model.ProcessExecRequest;
import io.procgate.server.api.model.ProcessExecResult;
import io.procgate.server.json.EncodedExecResult;
import io.procgate.server.session.Session;

/** Translates {@code processExec} DTOs to and from the executor's values. */
public final class ExecMapper {
  private ExecMapper() {}

  public static LaunchRequest toLaunchRequest(ProcessExecRequest body, Session session) {
    return session
        .launchRequest(body.getCommand())
        .args(Required.list("args", body.getArgs()))
        .cwd(body.getCwd())
        .env(Required.map("env", body.getEnv()))
        .asUser(body.getAsUser())
        .asRoot(Required.value("as_root", body.getAsRoot()))
        .timeoutSeconds(body.getTimeoutSec())
        .build();
  }

  public static ProcessExecResult toDto(ExecResult result) {
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
