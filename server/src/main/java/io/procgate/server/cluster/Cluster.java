package io.procgate.server.cluster;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.procgate.server.cdp.SessionKeys;
import io.procgate.server.config.ProcgateConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The control plane's view of the cluster: its pods, names, template and keys, made at start in
 * control-plane mode only (a node never makes a Kubernetes client), and the sweep that removes what
 * sessions leave behind. Every replica sweeps; what one removes, the others find gone.
 */
@ApplicationScoped
public class Cluster {
  private static final Logger LOG = Logger.getLogger(Cluster.class);
  private static final Duration SWEEP_INTERVAL = Duration.ofSeconds(10);

  private final ProcgateConfig config;
  private final Instance<KubernetesClient> clients;
  private final ScheduledExecutorService sweeper =
      Executors.newSingleThreadScheduledExecutor(
          runnable -> {
            Thread thread = new Thread(runnable, "procgate-pod-sweep");
            thread.setDaemon(true);
            return thread;
          });
  private volatile SessionPods pods;
  private volatile SessionNames names;
  private volatile PodTemplate template;
  private volatile SessionKeys keys;
  private volatile String namespace;

  Cluster(ProcgateConfig config, Instance<KubernetesClient> clients) {
    this.config = config;
    this.clients = clients;
  }

  void start(@Observes StartupEvent event) {
    if (config.mode() != ProcgateConfig.Mode.CONTROL_PLANE) {
      return;
    }
    ProcgateConfig.ControlPlane settings = config.controlPlane();
    keys = SessionKeys.of(config);
    KubernetesClient client = clients.get();
    namespace =
        settings.namespace().or(() -> Optional.ofNullable(client.getNamespace())).orElse("default");
    template = PodTemplate.of(settings, client);
    pods = new SessionPods(client, namespace);
    names = new SessionNames(client, namespace, abandonedAfter());
    pods.start()
        .whenComplete(
            (synced, failure) -> {
              if (failure != null) {
                LOG.errorf(failure, "cannot read the session pods of namespace %s", namespace);
              } else {
                LOG.infof(
                    "Control plane: sessions run in pods of namespace %s at %s",
                    namespace, client.getMasterUrl());
              }
            });
    long period = SWEEP_INTERVAL.toMillis();
    sweeper.scheduleWithFixedDelay(this::sweep, period, period, TimeUnit.MILLISECONDS);
  }

  void stop(@Observes ShutdownEvent event) {
    sweeper.shutdownNow();
    if (pods != null) {
      pods.close();
    }
  }

  /** Whether the pods have been read once: until then, no session can be looked up. */
  public boolean ready() {
    return pods != null && pods.synced();
  }

  public String namespace() {
    return namespace;
  }

  SessionPods pods() {
    return pods;
  }

  SessionNames names() {
    return names;
  }

  PodTemplate template() {
    return template;
  }

  SessionKeys keys() {
    return keys;
  }

  ProcgateConfig.ControlPlane settings() {
    return config.controlPlane();
  }

  /** A claim or a pod without its session this much older than a create can take is abandoned. */
  private Duration abandonedAfter() {
    return config.controlPlane().startTimeout().plusMinutes(1);
  }

  /**
   * Removes the pods of sessions that have ended (at once when their node exited with its session,
   * after the retention when it failed), those of creates that were abandoned midway, and the name
   * claims no session holds any more.
   */
  private void sweep() {
    try {
      Instant now = Instant.now();
      for (Pod pod : pods.all()) {
        String id = SessionPods.sessionId(pod);
        if (pod.getMetadata().getDeletionTimestamp() != null || id == null) {
          continue;
        }
        boolean remove;
        if (SessionPods.ended(pod)) {
          remove =
              "Succeeded".equals(pod.getStatus().getPhase())
                  || SessionPods.endedAt(pod)
                      .orElse(SessionPods.createdAt(pod))
                      .plus(config.controlPlane().failedRetention())
                      .isBefore(now);
        } else {
          remove =
              !pod.getMetadata().getAnnotations().containsKey(PodTemplate.SESSION_ANNOTATION)
                  && SessionPods.createdAt(pod).plus(abandonedAfter()).isBefore(now);
        }
        if (remove) {
          LOG.infof("removing the pod of session %s, which has ended", id);
          pods.deleteQuietly(id);
          PodTemplate.sessionName(pod).ifPresent(name -> names.release(name, id));
        }
      }
      names.releaseAbandoned(id -> pods.find(id).isPresent());
    } catch (KubernetesClientException | IllegalStateException e) {
      LOG.warnf("sweeping the session pods failed: %s", e.getMessage());
    }
  }
}
