package io.procgate.server.resource;

import io.procgate.server.cluster.PodSessions;
import io.procgate.server.config.ProcgateConfig;
import io.procgate.server.session.BrowserSessions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;

/** Whose sessions {@code /browsers} answers for: this server's, or its pods' on a control plane. */
@ApplicationScoped
class SessionsOfMode {

  @Produces
  @ApplicationScoped
  BrowserSessions sessions(
      ProcgateConfig config, Instance<LocalSessions> local, Instance<PodSessions> pods) {
    return config.mode() == ProcgateConfig.Mode.CONTROL_PLANE ? pods.get() : local.get();
  }
}
