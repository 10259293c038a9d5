package io.procgate.server.config;

import io.procgate.core.ExecutorSettings;
import io.procgate.core.ProcessExecutor;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;

/** Builds the one {@link ProcessExecutor} of the server from its configuration. */
@ApplicationScoped
public class ExecutorProducer {

  @Produces
  @ApplicationScoped
  ProcessExecutor executor(ProcgateConfig config) {
    ProcgateConfig.Exec exec = config.exec();
    ProcgateConfig.Spawn spawn = config.spawn();
    return new ProcessExecutor(
        ExecutorSettings.builder()
            .defaultUser(exec.defaultUser())
            .defaultTimeout(exec.defaultTimeout())
            .maxTimeout(exec.maxTimeout())
            .killGrace(exec.killGrace())
            .outputCap(Math.toIntExact(exec.outputCap().asLongValue()))
            .drainWait(exec.drainWait())
            .path(exec.path())
            .lang(exec.lang())
            .setpriv(exec.setpriv())
            .maxProcesses(config.sessions().maxProcesses())
            .outputBuffer(Math.toIntExact(spawn.outputBuffer().asLongValue()))
            .retention(spawn.retention())
            .retainedExited(spawn.retainedExited())
            .stdinWait(spawn.stdinWait())
            .build());
  }

  void close(@Disposes ProcessExecutor executor) {
    executor.close();
  }
}
