package io.procgate.server.resource;

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
import io.procgate.server.session.Session;
import io.procgate.server.session.SessionRegistry;
import io.smallrye.mutiny.Multi;
import java.util.List;

/** Processes of a browser session. */
public class BrowserProcessesResource implements BrowserProcessesApi {
  private final SessionRegistry sessions;
  private final ProcessExecutor executor;
  private final ExecAwaiter awaiter;
  private final OutputStreams streams;

  BrowserProcessesResource(
      SessionRegistry sessions,
      ProcessExecutor executor,
      ExecAwaiter awaiter,
      OutputStreams streams) {
    this.sessions = sessions;
    this.executor = executor;
    this.awaiter = awaiter;
    this.streams = streams;
  }

  @Override
  public ProcessExecResult processExec(String id, ProcessExecRequest request) {
    Session session = sessions.require(id);
    try (Session.Use use = session.use()) {
      return ExecMapper.toDto(
          awaiter.await(
              executor.exec(ExecMapper.toLaunchRequest(request, session), session.processes())));
    }
  }

  @Override
  public ProcessSpawnResult processSpawn(String id, ProcessSpawnRequest request) {
    Session session = sessions.require(id);
    try (Session.Use use = session.use()) {
      return ProcessMapper.toSpawnResult(
          executor.spawn(ProcessMapper.toLaunchRequest(request, session), session.processes()));
    }
  }

  @Override
  public List<ProcessInfo> processList(String id) {
    return sessions.require(id).processes().list().stream().map(ProcessMapper::toInfo).toList();
  }

  @Override
  public ProcessStatus processStatus(String id, String processId) {
    SpawnedProcess process = sessions.require(id).requireProcess(processId);
    return ProcessMapper.toStatus(process, Waiting.interruptibly(process::usage));
  }

  @Override
  public Multi<byte[]> processStdoutStream(String id, String processId, String lastEventId) {
    Session session = sessions.require(id);
    return streams.open(session, session.requireProcess(processId), lastEventId);
  }

  @Override
  public ProcessStdinResult processStdin(String id, String processId, ProcessStdinRequest request) {
    Session session = sessions.require(id);
    try (Session.Use use = session.use()) {
      SpawnedProcess process = session.requireProcess(processId);
      byte[] data = ProcessMapper.stdinData(request);
      boolean close = Required.value("close", request.getClose());
      return new ProcessStdinResult().writtenBytes(Waiting.on(process.writeStdin(data, close)));
    }
  }

  @Override
  public OkResponse processKill(String id, String processId, ProcessKillRequest request) {
    Session session = sessions.require(id);
    try (Session.Use use = session.use()) {
      session.requireProcess(processId).signal(ProcessMapper.toSignal(request));
      return new OkResponse().ok(true);
    }
  }

  @Override
  public OkResponse processResize(String id, String processId, ProcessResizeRequest request) {
    Session session = sessions.require(id);
    try (Session.Use use = session.use()) {
      Waiting.on(
          session
              .requireProcess(processId)
              .resize(new TerminalSize(request.getRows(), request.getCols())));
      return new OkResponse().ok(true);
    }
  }
}
