package io.procgate.server.config;

import io.procgate.core.ContainmentSettings;
import io.procgate.core.ExecutorSettings;
import io.procgate.core.ProcessExecutor;
import io.procgate.core.UidRange;
import io.procgate.core.browser.BrowserSettings;
import io.procgate.core.browser.Browsers;
import io.procgate.core.display.ReplayLimits;
import io.procgate.core.files.UserFiles;
import io.procgate.core.network.AddressBlock;
import io.procgate.core.network.SessionNetworks;
import io.procgate.server.metrics.ServerMetrics;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import java.util.List;
import java.util.Optional;

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
            .sessionUids(
                config.isolation().users() && exec.defaultUser().isEmpty()
                    ? Optional.of(UidRange.parse(config.isolation().uids()))
                    : Optional.empty())
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

  /**
   * Sessions' own networks where they are on: not in a pod, which has a network of its own, nor in
   * a control plane, which holds no sessions.
   */
  @Produces
  @ApplicationScoped
  SessionNetworks networks(ProcessExecutor executor, ProcgateConfig config) {
    if (!config.isolation().network()) {
      return SessionNetworks.none(executor, "procgate.isolation.network is off");
    }
    if (config.pod().sessionId().isPresent()) {
      return SessionNetworks.none(executor, "the session's pod has a network of its own");
    }
    return SessionNetworks.start(executor, AddressBlock.parse(config.isolation().addresses()));
  }

  void close(@Disposes SessionNetworks networks) {
    networks.close();
  }

  /**
   * The file system with the rights of the account the server's processes run as by default; each
   * session takes a view of it with its own account's rights.
   */
  @Produces
  @ApplicationScoped
  UserFiles files(ProcessExecutor executor) {
    return new UserFiles(executor.defaultAccount(), executor.serverAccount());
  }

  void close(@Disposes UserFiles files) {
    files.close();
  }
}
