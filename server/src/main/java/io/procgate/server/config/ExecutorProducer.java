package io.procgate.server.config;

import io.procgate.core.ContainmentSettings;
import io.procgate.core.ExecutorSettings;
import io.procgate.core.ProcessExecutor;
import io.procgate.core.browser.BrowserSettings;
import io.procgate.core.browser.Browsers;
import io.procgate.core.display.ReplayLimits;
import io.procgate.core.files.UserFiles;
import io.procgate.server.metrics.ServerMetrics;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import java.util.List;

/**
 * Builds the server's {@link ProcessExecutor}, {@link Browsers} and {@link UserFiles} from its
 * configuration.
 */
@ApplicationScoped
public class ExecutorProducer {

  @Produces
  @ApplicationScoped
  ProcessExecutor executor(ProcgateConfig config, ServerMetrics metrics) {
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
            .containment(
                new ContainmentSettings(
                    config.containment().mechanism(),
                    config.containment().required(),
                    config.containment().memoryLimit().asLongValue(),
                    config.containment().tasksLimit(),
                    config.containment().cpuWeight()))
            .build(),
        metrics);
  }

  void close(@Disposes ProcessExecutor executor) {
    executor.close();
  }

  @Produces
  @ApplicationScoped
  Browsers browsers(ProcessExecutor executor, ProcgateConfig config) {
    ProcgateConfig.Browser browser = config.browser();
    return new Browsers(
        executor,
        new BrowserSettings(
            browser.executable(),
            browser.flags().orElse(List.of()),
            browser.startTimeout(),
            browser.maxRestarts(),
            browser.restartWindow(),
            browser.restartBackoff(),
            browser.xvfb(),
            new ReplayLimits(
                config.replays().maxSize().asLongValue(),
                config.replays().maxDuration(),
                config.replays().kept())));
  }

  void close(@Disposes Browsers browsers) {
    browsers.close();
  }

  /** The file system with the rights of the account sessions' processes run as by default. */
  @Produces
  @ApplicationScoped
  UserFiles files(ProcessExecutor executor) {
    return new UserFiles(executor.defaultAccount(), executor.serverAccount());
  }

  void close(@Disposes UserFiles files) {
    files.close();
  }
}
