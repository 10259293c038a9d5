package io.procgate.server.health;

import io.procgate.server.session.SessionRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready while a {@code POST /browsers} would succeed: room for one more session, and, where
 * sessions get a browser, the browser still installed.
 */
@Readiness
@ApplicationScoped
public class SessionReadiness implements HealthCheck {
  private final SessionRegistry sessions;

  SessionReadiness(SessionRegistry sessions) {
    this.sessions = sessions;
  }

  @Override
  public HealthCheckResponse call() {
    SessionRegistry.Capacity capacity = sessions.capacity();
    return HealthCheckResponse.named("sessions")
        .status(capacity.problem().isEmpty())
        .withData("sessions", capacity.held())
        .withData("max", capacity.max())
        .withData("browser", capacity.browser())
        .withData("problem", capacity.problem().orElse("none"))
        .build();
  }
}
