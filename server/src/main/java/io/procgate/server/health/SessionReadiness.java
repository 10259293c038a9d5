package io.procgate.server.health;

import io.procgate.server.cluster.Cluster;
import io.procgate.server.config.ProcgateConfig;
import io.procgate.server.session.SessionRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready while a {@code POST /browsers} would succeed: room for one more session, and, where
 * sessions get a browser, the browser still installed. Its data also says how sessions are kept
 * apart. A control plane is ready once it has read the session pods.
 */
@Readiness
@ApplicationScoped
public class SessionReadiness implements HealthCheck {
  private final Instance<SessionRegistry> sessions;
  private final Cluster cluster;
  private final boolean controlPlane;

  SessionReadiness(Instance<SessionRegistry> sessions, Cluster cluster, ProcgateConfig config) {
    this.sessions = sessions;
    this.cluster = cluster;
    this.controlPlane = config.mode() == ProcgateConfig.Mode.CONTROL_PLANE;
  }

  @Override
  public HealthCheckResponse call() {
    if (controlPlane) {
      return HealthCheckResponse.named("session-pods")
          .status(cluster.ready())
          .withData("namespace", String.valueOf(cluster.namespace()))
          .build();
    }
    SessionRegistry.Capacity capacity = sessions.get().capacity();
    return HealthCheckResponse.named("sessions")
        .status(capacity.problem().isEmpty())
        .withData("sessions", capacity.held())
        .withData("max", capacity.max())
        .withData("browser", capacity.browser())
        .withData("users", sessions.get().accounts())
        .withData("network", sessions.get().networks())
        .withData("problem", capacity.problem().orElse("none"))
        .build();
  }
}
