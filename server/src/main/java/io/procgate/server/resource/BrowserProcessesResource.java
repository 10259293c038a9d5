package io.procgate.server.resource;

import io.procgate.core.Execution;
import io.procgate.core.ProcessExecutor;
import io.procgate.core.SpawnedProcess;
import io.procgate.core.TerminalSize;
import io.procgate.server.api.BrowserProcessesApi;
import io.procgate.server.api.model.OkResponse;
import io.procgate.server.api.model.ProcessExecRequest;
import io.procgate.server.api.model.ProcessExecResult;
import io.procgate.server.api.model.ProcessInfo;
import io.procgate.server.api.model.ProcessKillRequest;
import io.procgate.server.api.model.ProcessResizeRequest;
import io.procgate.server.api.model.ProcessSpawnRequest;
import io.procgate.server.api.model.ProcessSpawnResult;
import io.procgate.server.api.model.ProcessStatus;
import io.procgate.server.api.model.ProcessStdinRequest;
import io.procgate.server.api.model.ProcessStdinResult;
import io.procgate.server.mapping.ExecMapper;
import io.procgate.server.mapping.ProcessMapper;
import io.procgate.server.mapping.Required;
import io.procgate.server.session.Session;
import io.procgate.server.session.SessionRegistry;
import io.procgate.server.sse.OutputStreams;
import io.procgate.server.validation.Validated;
import io.smallrye.mutiny.Multi;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Processes of a browser session. Every method runs on the request's I/O thread and answers from a
 * completion: nothing here waits for a process.
 */
@Validated
public class BrowserProcessesResource implements BrowserProcessesApi {
  private static final OkResponse OK = new OkResponse().ok(true);

  private final SessionRegistry sessions;
  private final ProcessExecutor executor;
  private final OutputStreams streams;

  BrowserProcessesResource(
      SessionRegistry sessions, ProcessExecutor executor, OutputStreams streams) {
    this.sessions = sessions;
    this.executor = executor;
    this.streams = streams;
  }

  @Override
  public CompletionStage<ProcessExecResult> processExec(String id, ProcessExecRequest request) {
    return sessions.using(
        id,
        session -> {
          Execution execution =
              executor.exec(ExecMapper.toLaunchRequest(request, session), session.processes());
          CompletableFuture<ProcessExecResult> answer =
              execution.result().thenApply(ExecMapper::toDto);
          // Quarkus REST cancels the answer when the client goes away: end the process group.
          answer.whenComplete(
              (result, failure) -> {
                if (failure instanceof CancellationException) {
                  execution.abandon();
                }
              });
          return answer;
        });
  }

  @Override
  public CompletionStage<ProcessSpawnResult> processSpawn(String id, ProcessSpawnRequest request) {
    return sessions.using(
        id,
        session ->
            CompletableFuture.completedFuture(
                ProcessMapper.toSpawnResult(
                    executor.spawn(
                        ProcessMapper.toLaunchRequest(request, session), session.processes()))));
  }

  @Override
  public CompletionStage<List<ProcessInfo>> processList(String id) {
    return CompletableFuture.completedFuture(
        sessions.require(id).processes().list().stream().map(ProcessMapper::toInfo).toList());
  }

  @Override
  public CompletionStage<ProcessStatus> processStatus(String id, String processId) {
    SpawnedProcess process = sessions.require(id).requireProcess(processId);
    return process.usage().thenApply(usage -> ProcessMapper.toStatus(process, usage));
  }

  @Override
  public Multi<byte[]> processStdoutStream(String id, String processId, String lastEventId) {
    Session session = sessions.require(id);
    return streams.open(session, session.requireProcess(processId), lastEventId);
  }

  @Override
  public CompletionStage<ProcessStdinResult> processStdin(
      String id, String processId, ProcessStdinRequest request) {
    return sessions.using(
        id,
        session -> {
          SpawnedProcess process = session.requireProcess(processId);
          byte[] data = ProcessMapper.stdinData(request);
          boolean close = Required.value("close", request.getClose());
          return process
              .writeStdin(data, close)
              .thenApply(written -> new ProcessStdinResult().writtenBytes(written));
        });
  }

  @Override
  public CompletionStage<OkResponse> processKill(
      String id, String processId, ProcessKillRequest request) {
    return sessions.using(
        id,
        session -> {
          session.requireProcess(processId).signal(ProcessMapper.toSignal(request));
          return CompletableFuture.completedFuture(OK);
        });
  }

  @Override
  public CompletionStage<OkResponse> processResize(
      String id, String processId, ProcessResizeRequest request) {
    return sessions.using(
        id,
        session ->
            session
                .requireProcess(processId)
                .resize(new TerminalSize(request.getRows(), request.getCols()))
                .thenApply(done -> OK));
  }
}
