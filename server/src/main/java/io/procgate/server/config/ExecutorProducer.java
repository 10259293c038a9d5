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
    return new ProcessExecutor(
        new ExecutorSettings(
            exec.defaultUser(),
            exec.defaultTimeout(),
            exec.maxTimeout(),
            exec.killGrace(),
            Math.toIntExact(exec.outputCap().asLongValue()),
            exec.drainWait(),
            exec.path(),
            exec.lang(),
            exec.setpriv(),
            true));
  }

  void close(@Disposes ProcessExecutor executor) {
    executor.close();
  }
}
