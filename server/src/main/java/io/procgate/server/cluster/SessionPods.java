package io.procgate.server.cluster;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.PodResource;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.procgate.server.error.ApiException;
import io.procgate.server.error.ErrorCode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.jboss.logging.Logger;

/**
 * The session pods of one namespace, read through an informer's cache (a direct read on a miss, so
 * that a pod another replica made a moment ago is found), and made, awaited and deleted.
 */
final class SessionPods implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(SessionPods.class);
  // Waiting reasons of a container that will not start by waiting longer.
  private static final Set<String> HOPELESS =
      Set.of(
          "ErrImagePull",
          "ImagePullBackOff",
          "InvalidImageName",
          "CreateContainerConfigError",
          "CreateContainerError",
          "CrashLoopBackOff",
          "RunContainerError");

  private static final String BY_NAME = "name";

  private final KubernetesClient client;
  private final String namespace;
  private final SharedIndexInformer<Pod> informer;
  private final Map<String, Awaited> awaitedInCache = new ConcurrentHashMap<>();

  SessionPods(KubernetesClient client, String namespace) {
    this.client = client;
    this.namespace = namespace;
    this.informer =
        client
            .pods()
            .inNamespace(namespace)
            .withLabel(PodTemplate.SESSION_LABEL)
            .withIndexers(
                Map.of(
                    BY_NAME, pod -> PodTemplate.sessionName(pod).map(List::of).orElse(List.of())))
            .runnableInformer(0);
    informer.addEventHandler(
        new ResourceEventHandler<>() {
          @Override
          public void onAdd(Pod pod) {
            seen(pod);
          }

          @Override
          public void onUpdate(Pod before, Pod pod) {
            seen(pod);
          }

          @Override
          public void onDelete(Pod pod, boolean finalStateUnknown) {
            // Nothing awaits a pod's absence here.
          }
        });
  }

  /**
   * Completes once the cache holds the session's pod in a state that meets {@code condition}, so
   * that what this replica was told is what it answers next; or after {@code budget} regardless.
   */
  CompletableFuture<Void> cachedWhen(String sessionId, Predicate<Pod> condition, Duration budget) {
    String key = PodTemplate.podName(sessionId);
    Awaited awaited = new Awaited(condition, new CompletableFuture<>());
    awaitedInCache.put(key, awaited);
    cached(sessionId).ifPresent(this::seen);
    return awaited
        .seen()
        .orTimeout(budget.toMillis(), TimeUnit.MILLISECONDS)
        .handle(
            (seen, late) -> {
              awaitedInCache.remove(key, awaited);
              return null;
            });
  }

  private void seen(Pod pod) {
    Awaited awaited = awaitedInCache.get(pod.getMetadata().getName());
    if (awaited != null && awaited.condition().test(pod)) {
      awaited.seen().complete(null);
    }
  }

  private record Awaited(Predicate<Pod> condition, CompletableFuture<Void> seen) {}

  /** Starts the cache; completes once it holds every session pod. */
  CompletableFuture<Void> start() {
    return informer.start().toCompletableFuture();
  }

  boolean synced() {
    return informer.hasSynced();
  }

  /** The pod of the session {@code sessionId}, if it has one. */
  Optional<Pod> find(String sessionId) {
    return cached(sessionId).or(() -> read(sessionId));
  }

  /** The pod of the session {@code sessionId} as the API server has it now. */
  Optional<Pod> read(String sessionId) {
    return Optional.ofNullable(pod(sessionId).get());
  }

  /** The pod of the session named {@code name}, if the cache has it. */
  Optional<Pod> cachedByName(String name) {
    return informer.getIndexer().byIndex(BY_NAME, name).stream().findFirst();
  }

  /** The pod of the session {@code sessionId}, if the cache has it. */
  Optional<Pod> cached(String sessionId) {
    return Optional.ofNullable(
        informer.getStore().getByKey(namespace + "/" + PodTemplate.podName(sessionId)));
  }

  /** Every session pod the cache holds. */
  List<Pod> all() {
    return informer.getStore().list();
  }

  /** Creates the pod; refusals of the API server become a {@code browser_start_failed}. */
  void create(Pod pod) {
    try {
      client.pods().inNamespace(namespace).resource(pod).create();
    } catch (KubernetesClientException e) {
      throw new ApiException(
          ErrorCode.BROWSER_START_FAILED, "the session's pod could not be created: " + reason(e));
    }
  }

  /**
   * Completes with the pod once it is ready and has an address; fails with {@code
   * browser_start_failed} as soon as it cannot become so, or once {@code budget} has passed, saying
   * why.
   */
  CompletableFuture<Pod> ready(String sessionId, Duration budget) {
    AtomicReference<String> lastKnown = new AtomicReference<>("it was not scheduled");
    AtomicReference<String> hopeless = new AtomicReference<>();
    CompletableFuture<List<Pod>> watched =
        pod(sessionId)
            .informOnCondition(
                pods -> {
                  if (pods.isEmpty()) {
                    hopeless.set("it was deleted");
                    return true;
                  }
                  Pod pod = pods.get(0);
                  if (ready(pod)) {
                    return true;
                  }
                  Optional<String> why = whyNotReady(pod);
                  why.ifPresent(lastKnown::set);
                  if (ended(pod) || why.filter(SessionPods::isHopeless).isPresent()) {
                    hopeless.set(why.orElse("it ended"));
                    return true;
                  }
                  return false;
                });
    return watched
        .orTimeout(budget.toMillis(), TimeUnit.MILLISECONDS)
        .handle(
            (pods, failure) -> {
              if (failure != null) {
                watched.cancel(true);
                String why =
                    failure instanceof TimeoutException
                        ? "it was not ready within " + budget.toSeconds() + " s: " + lastKnown.get()
                        : failure.getMessage();
                throw new ApiException(
                    ErrorCode.BROWSER_START_FAILED, "the session's pod did not start: " + why);
              }
              if (hopeless.get() != null) {
                throw new ApiException(
                    ErrorCode.BROWSER_START_FAILED,
                    "the session's pod did not start: " + hopeless.get());
              }
              return pods.get(0);
            });
  }

  /** Adds an annotation to the session's pod. */
  void annotate(String sessionId, String key, String value) {
    pod(sessionId)
        .edit(
            pod ->
                new PodBuilder(pod)
                    .editMetadata()
                    .addToAnnotations(key, value)
                    .endMetadata()
                    .build());
  }

  /**
   * Deletes the session's pod, its node stopping as its container is (SIGTERM, then its grace);
   * completes once the pod is gone, or after {@code budget} with the pod still going.
   */
  CompletableFuture<Void> delete(String sessionId, Duration budget) {
    PodResource pod = pod(sessionId);
    pod.delete();
    CompletableFuture<List<Pod>> gone = pod.informOnCondition(List::isEmpty);
    return gone.orTimeout(budget.toMillis(), TimeUnit.MILLISECONDS)
        .handle(
            (pods, failure) -> {
              if (failure != null) {
                gone.cancel(true);
                LOG.warnf(
                    "the pod of session %s is still going after %d s",
                    sessionId, budget.toSeconds());
              }
              return null;
            });
  }

  /** Deletes the pod without waiting; one already gone is no failure. */
  void deleteQuietly(String sessionId) {
    try {
      pod(sessionId).delete();
    } catch (KubernetesClientException e) {
      LOG.warnf("cannot delete the pod of session %s: %s", sessionId, reason(e));
    }
  }

  /** The id of the session the pod runs. */
  static String sessionId(Pod pod) {
    return pod.getMetadata().getLabels().get(PodTemplate.SESSION_LABEL);
  }

  static boolean ready(Pod pod) {
    if (pod.getStatus() == null
        || pod.getStatus().getPodIP() == null
        || pod.getMetadata().getDeletionTimestamp() != null) {
      return false;
    }
    return pod.getStatus().getConditions().stream()
        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  /** Whether the pod's container has ended: it will never run again. */
  static boolean ended(Pod pod) {
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    return "Succeeded".equals(phase) || "Failed".equals(phase);
  }

  /** When the pod ended, as its container's termination says, else as its phase was last seen. */
  static Optional<Instant> endedAt(Pod pod) {
    return pod.getStatus().getContainerStatuses().stream()
        .map(ContainerStatus::getState)
        .filter(state -> state != null && state.getTerminated() != null)
        .map(state -> state.getTerminated().getFinishedAt())
        .filter(at -> at != null)
        .map(Instant::parse)
        .findFirst();
  }

  static Instant createdAt(Pod pod) {
    String at = pod.getMetadata().getCreationTimestamp();
    return at == null ? Instant.now() : Instant.parse(at);
  }

  private static Optional<String> whyNotReady(Pod pod) {
    if (pod.getStatus() == null) {
      return Optional.empty();
    }
    for (ContainerStatus container : pod.getStatus().getContainerStatuses()) {
      var state = container.getState();
      if (state == null) {
        continue;
      }
      if (state.getWaiting() != null && state.getWaiting().getReason() != null) {
        return Optional.of(
            state.getWaiting().getReason() + describe(state.getWaiting().getMessage()));
      }
      if (state.getTerminated() != null) {
        return Optional.of(
            "its container exited with "
                + state.getTerminated().getExitCode()
                + describe(state.getTerminated().getReason()));
      }
    }
    for (PodCondition condition : pod.getStatus().getConditions()) {
      if ("False".equals(condition.getStatus()) && condition.getReason() != null) {
        return Optional.of(condition.getReason() + describe(condition.getMessage()));
      }
    }
    return Optional.ofNullable(pod.getStatus().getPhase()).map(phase -> "it is " + phase);
  }

  private static boolean isHopeless(String why) {
    return HOPELESS.stream().anyMatch(why::startsWith);
  }

  private static String describe(String detail) {
    return detail == null || detail.isBlank() ? "" : ": " + detail;
  }

  static String reason(KubernetesClientException e) {
    return e.getStatus() != null && e.getStatus().getMessage() != null
        ? e.getStatus().getMessage()
        : e.getMessage();
  }

  private PodResource pod(String sessionId) {
    return client.pods().inNamespace(namespace).withName(PodTemplate.podName(sessionId));
  }

  @Override
  public void close() {
    informer.close();
  }
}
