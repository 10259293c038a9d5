package io.procgate.server.health;

import io.procgate.core.ProcessExecutor;
import io.procgate.server.config.ProcgateConfig;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import java.time.Duration;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/**
 * Alive while the thread that sees every process's output and exit answers: stuck, every exec would
 * hang, and only a restart helps.
 */
@Liveness
@ApplicationScoped
public class ExecutorLiveness implements AsyncHealthCheck {
  private static final Duration PATIENCE = Duration.ofSeconds(5);

  private final Instance<ProcessExecutor> executor;
  private final boolean controlPlane;

  ExecutorLiveness(Instance<ProcessExecutor> executor, ProcgateConfig config) {
    this.executor = executor;
    this.controlPlane = config.mode() == ProcgateConfig.Mode.CONTROL_PLANE;
  }

  @Override
  public Uni<HealthCheckResponse> call() {
    // A control plane runs no processes.
    if (controlPlane) {
      return Uni.createFrom().item(HealthCheckResponse.up("process-supervisor"));
    }
    return Uni.createFrom()
        .completionStage(() -> executor.get().ping())
        .ifNoItem()
        .after(PATIENCE)
        .fail()
        .map(answered -> HealthCheckResponse.up("process-supervisor"))
        .onFailure()
        .recoverWithItem(
            failure ->
                HealthCheckResponse.named("process-supervisor")
                    .down()
                    .withData("problem", "no answer within " + PATIENCE.toSeconds() + " s")
                    .build());
  }
}
