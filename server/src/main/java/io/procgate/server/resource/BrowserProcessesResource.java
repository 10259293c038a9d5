package io.procgate.server.resource;

import io.procgate.core.ProcessExecutor;
import io.procgate.server.api.BrowserProcessesApi;
import io.procgate.server.api.model.ProcessExecRequest;
import io.procgate.server.api.model.ProcessExecResult;
import io.procgate.server.session.Session;
import io.procgate.server.session.SessionRegistry;

/** Processes of a browser session. */
public class BrowserProcessesResource implements BrowserProcessesApi {
  private final SessionRegistry sessions;
  private final ProcessExecutor executor;
  private final ExecAwaiter awaiter;

  BrowserProcessesResource(
      SessionRegistry sessions, ProcessExecutor executor, ExecAwaiter awaiter) {
    this.sessions = sessions;
    this.executor = executor;
    this.awaiter = awaiter;
  }

  @Override
  public ProcessExecResult processExec(String id, ProcessExecRequest request) {
    Session session = sessions.require(id);
    try (Session.Use use = session.use()) {
      return ExecMapper.toDto(
          awaiter.await(
              executor.exec(ExecMapper.toLaunchRequest(request, session), session.groups())));
    }
  }
}
