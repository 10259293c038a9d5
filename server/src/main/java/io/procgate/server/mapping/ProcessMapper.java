package io.procgate.server.mapping;

import io.procgate.core.ExitStatus;
import io.procgate.core.LaunchRequest;
import io.procgate.core.Signal;
import io.procgate.core.SpawnedProcess;
import io.procgate.core.TerminalSize;
import io.procgate.server.api.model.ProcessInfo;
import io.procgate.server.api.model.ProcessKillRequest;
import io.procgate.server.api.model.ProcessSpawnRequest;
import io.procgate.server.api.model.ProcessSpawnResult;
import io.procgate.server.api.model.ProcessStatus;
import io.procgate.server.api.model.ProcessStdinRequest;
import io.procgate.server.error.ApiException;
import io.procgate.server.error.ErrorCode;
import io.procgate.server.session.Session;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Optional;

/** Translates spawned processes and their requests between the DTOs and the executor. */
public final class ProcessMapper {
  private ProcessMapper() {}

  public static LaunchRequest toLaunchRequest(ProcessSpawnRequest body, Session session) {
    TerminalSize terminal =
        Required.value("allocate_tty", body.getAllocateTty())
            ? new TerminalSize(
                body.getRows() != null ? body.getRows() : TerminalSize.DEFAULT.rows(),
                body.getCols() != null ? body.getCols() : TerminalSize.DEFAULT.cols())
            : null;
    return session
        .launchRequest(body.getCommand())
        .args(Required.list("args", body.getArgs()))
        .cwd(body.getCwd())
        .env(Required.map("env", body.getEnv()))
        .asUser(body.getAsUser())
        .asRoot(Required.value("as_root", body.getAsRoot()))
        .timeoutSeconds(body.getTimeoutSec())
        .terminal(terminal)
        .build();
  }

  /** The bytes to write; line breaks in the base64, as some encoders add them, are allowed. */
  public static byte[] stdinData(ProcessStdinRequest body) {
    String encoded = Required.value("data_b64", body.getDataB64());
    try {
      return Base64.getDecoder().decode(encoded.replace("\r", "").replace("\n", ""));
    } catch (IllegalArgumentException e) {
      throw new ApiException(
          ErrorCode.INVALID_BASE64, "data_b64 is not valid base64: " + e.getMessage());
    }
  }

  public static Signal toSignal(ProcessKillRequest body) {
    return Signal.valueOf(Required.value("signal", body.getSignal()).value());
  }

  public static ProcessSpawnResult toSpawnResult(SpawnedProcess process) {
    return new ProcessSpawnResult()
        .processId(process.id())
        .pid(process.pid())
        .startedAt(utc(process.startedAt()));
  }

  public static ProcessStatus toStatus(SpawnedProcess process, SpawnedProcess.Usage usage) {
    Optional<ExitStatus> exit = process.exitStatus();
    return new ProcessStatus()
        .state(exit.isPresent() ? ProcessStatus.StateEnum.EXITED : ProcessStatus.StateEnum.RUNNING)
        .exitCode(exit.map(ExitStatus::exitCode).orElse(null))
        .signal(exit.flatMap(ExitStatus::signalName).orElse(null))
        .cpuPct(Math.round(usage.cpuPercent() * 10) / 10.0)
        .memBytes(usage.memoryBytes());
  }

  public static ProcessInfo toInfo(SpawnedProcess process) {
    Optional<ExitStatus> exit = process.exitStatus();
    return new ProcessInfo()
        .processId(process.id())
        .pid(process.pid())
        .command(process.commandLine())
        .state(exit.isPresent() ? ProcessInfo.StateEnum.EXITED : ProcessInfo.StateEnum.RUNNING)
        .exitCode(exit.map(ExitStatus::exitCode).orElse(null))
        .startedAt(utc(process.startedAt()))
        .endedAt(process.endedAt().map(ProcessMapper::utc).orElse(null));
  }

  private static OffsetDateTime utc(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }
}
