package io.procgate.testing;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.PodResource;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * What a kubelet does for the pods of one namespace, as far as procgate's control plane sees it:
 * each new pod's node runs as a real server process on a loopback address of its own (127.0.0.N,
 * its pod IP), with its container's environment; its pod is Running and Ready once the node is;
 * when the node exits, the pod ends with its exit code; when the pod is deleted, its node is
 * stopped with SIGTERM and only then is the pod gone. A finalizer holds the pod until then, as a
 * real kubelet's graceful deletion does, which the mock API server does not.
 */
public final class TestKubelet implements AutoCloseable {
  private static final String FINALIZER = "procgate.io/test-kubelet";

  private final KubernetesClient kube;
  private final String namespace;
  private final Function<Pod, Map<String, String>> settings;
  private final List<String> jvmOptions;
  private final Map<String, Node> nodes = new ConcurrentHashMap<>();
  private final AtomicInteger addresses = new AtomicInteger(1);
  private final ExecutorService work =
      Executors.newCachedThreadPool(
          runnable -> {
            Thread thread = new Thread(runnable, "test-kubelet");
            thread.setDaemon(true);
            return thread;
          });
  private final SharedIndexInformer<Pod> informer;

  /**
   * Runs the pods of {@code namespace}, their nodes with the settings {@code settings} gives for
   * each pod (what a node image's own configuration would hold) and {@code jvmOptions}.
   */
  public TestKubelet(
      KubernetesClient kube,
      String namespace,
      Function<Pod, Map<String, String>> settings,
      List<String> jvmOptions) {
    this.kube = kube;
    this.namespace = namespace;
    this.settings = settings;
    this.jvmOptions = List.copyOf(jvmOptions);
    this.informer =
        kube.pods()
            .inNamespace(namespace)
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(Pod pod) {
                    observe(pod);
                  }

                  @Override
                  public void onUpdate(Pod before, Pod pod) {
                    observe(pod);
                  }

                  @Override
                  public void onDelete(Pod pod, boolean finalStateUnknown) {
                    Node node = nodes.remove(pod.getMetadata().getName());
                    if (node != null) {
                      work.execute(node::stop);
                    }
                  }
                },
                0);
  }

  /** The node of the session {@code sessionId}, once it runs. */
  public CompletableFuture<ServerProcess> node(String sessionId) {
    Node node = nodes.get("procgate-" + sessionId);
    return node == null
        ? CompletableFuture.failedFuture(new IllegalStateException("no pod for " + sessionId))
        : node.started;
  }

  /** The nodes running now, by pod name. */
  public Map<String, ServerProcess> running() {
    Map<String, ServerProcess> running = new LinkedHashMap<>();
    nodes.forEach(
        (pod, node) ->
            node.process()
                .filter(process -> process.process().isAlive())
                .ifPresent(process -> running.put(pod, process)));
    return running;
  }

  private void observe(Pod pod) {
    String name = pod.getMetadata().getName();
    if (pod.getMetadata().getDeletionTimestamp() != null) {
      Node node = nodes.remove(name);
      work.execute(
          () -> {
            if (node != null) {
              node.stop();
            }
            release(name);
          });
      return;
    }
    boolean fresh = pod.getStatus() == null || pod.getStatus().getPhase() == null;
    if (fresh && !nodes.containsKey(name)) {
      Node node = new Node(name, "127.0.0." + addresses.incrementAndGet());
      if (nodes.putIfAbsent(name, node) == null) {
        work.execute(() -> node.run(pod));
      }
    }
  }

  private void release(String name) {
    try {
      pod(name)
          .edit(
              pod ->
                  new PodBuilder(pod)
                      .editMetadata()
                      .removeFromFinalizers(FINALIZER)
                      .endMetadata()
                      .build());
    } catch (KubernetesClientException gone) {
      // Deleted already: nothing held it.
    }
  }

  private PodResource pod(String name) {
    return kube.pods().inNamespace(namespace).withName(name);
  }

  /** One pod's node: started once, stopped once. */
  private final class Node {
    final String pod;
    final String address;
    final CompletableFuture<ServerProcess> started = new CompletableFuture<>();
    private boolean stopping;

    Node(String pod, String address) {
      this.pod = pod;
      this.address = address;
    }

    void run(Pod spec) {
      Container container = spec.getSpec().getContainers().get(0);
      try {
        pod(pod)
            .edit(
                p ->
                    new PodBuilder(p)
                        .editMetadata()
                        .addToFinalizers(FINALIZER)
                        .endMetadata()
                        .build());
      } catch (KubernetesClientException gone) {
        started.completeExceptionally(gone);
        return;
      }
      Map<String, String> environment = new LinkedHashMap<>();
      for (EnvVar variable : container.getEnv()) {
        environment.put(variable.getName(), Optional.ofNullable(variable.getValue()).orElse(""));
      }
      int port = Integer.parseInt(environment.getOrDefault("QUARKUS_HTTP_PORT", "8080"));
      ServerProcess process;
      try {
        process =
            ServerProcess.startNode(address, port, settings.apply(spec), jvmOptions, environment);
      } catch (Exception failed) {
        started.completeExceptionally(failed);
        ended(container.getName(), 1);
        return;
      }
      synchronized (this) {
        if (stopping) {
          closeQuietly(process);
          started.completeExceptionally(new IllegalStateException("deleted while starting"));
          return;
        }
        started.complete(process);
      }
      process.process().onExit().thenRunAsync(() -> exited(container.getName(), process), work);
      String now = Instant.now().toString();
      pod(pod)
          .editStatus(
              p ->
                  new PodBuilder(p)
                      .withNewStatus()
                      .withPhase("Running")
                      .withPodIP(address)
                      .withHostIP(address)
                      .withStartTime(now)
                      .addNewCondition()
                      .withType("Ready")
                      .withStatus("True")
                      .endCondition()
                      .addNewContainerStatus()
                      .withName(container.getName())
                      .withReady(true)
                      .withNewState()
                      .withNewRunning(now)
                      .endState()
                      .endContainerStatus()
                      .endStatus()
                      .build());
    }

    private void exited(String container, ServerProcess process) {
      synchronized (this) {
        if (stopping) {
          return;
        }
      }
      // Why a node ended by itself, in the tests' output: its session ended, it was never given
      // one, or it failed.
      List<String> lines = process.log().lines().toList();
      System.err.printf(
          "[test-kubelet] %s exited by itself with %d; its log ends:%n  %s%n",
          pod,
          process.process().exitValue(),
          String.join("\n  ", lines.subList(Math.max(0, lines.size() - 3), lines.size())));
      ended(container, process.process().exitValue());
    }

    private void ended(String container, int exitCode) {
      String now = Instant.now().toString();
      try {
        pod(pod)
            .editStatus(
                p ->
                    new PodBuilder(p)
                        .withNewStatus()
                        .withPhase(exitCode == 0 ? "Succeeded" : "Failed")
                        .withPodIP(address)
                        .addNewCondition()
                        .withType("Ready")
                        .withStatus("False")
                        .withReason("PodCompleted")
                        .endCondition()
                        .addNewContainerStatus()
                        .withName(container)
                        .withReady(false)
                        .withNewState()
                        .withNewTerminated()
                        .withExitCode(exitCode)
                        .withReason(exitCode == 0 ? "Completed" : "Error")
                        .withFinishedAt(now)
                        .endTerminated()
                        .endState()
                        .endContainerStatus()
                        .endStatus()
                        .build());
      } catch (KubernetesClientException gone) {
        // Deleted meanwhile.
      }
    }

    /** Stops the node, once it has started if it is starting, and returns once it has exited. */
    void stop() {
      synchronized (this) {
        stopping = true;
      }
      try {
        closeQuietly(started.join());
      } catch (CompletionException notStarted) {
        // It never ran, or stopped itself seeing it was to stop.
      }
    }

    Optional<ServerProcess> process() {
      return started.isDone() && !started.isCompletedExceptionally()
          ? Optional.of(started.join())
          : Optional.empty();
    }
  }

  private static void closeQuietly(ServerProcess process) {
    try {
      process.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    informer.close();
    nodes.values().forEach(Node::stop);
    nodes.clear();
    work.shutdownNow();
  }
}
