package io.procgate.server.cluster;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.procgate.server.config.ProcgateConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The pod a session runs in: the operator's template (or a plain one of the node image), its first
 * container the node, with what procgate sets on top: the session's name, labels and annotations,
 * the node's settings in its environment, no restarts, no service account token, resources and a
 * deadline.
 */
final class PodTemplate {
  /** Every session pod has it; its value is the session's id. */
  static final String SESSION_LABEL = "procgate.io/session";

  /** The create request, as the client sent it. */
  static final String REQUEST_ANNOTATION = "procgate.io/request";

  /** The session as its node described it once created, without its tokens. */
  static final String SESSION_ANNOTATION = "procgate.io/session";

  /** The session's name, when it has one. */
  static final String NAME_ANNOTATION = "procgate.io/name";

  private static final String POD_PREFIX = "procgate-";
  private static final int MANAGEMENT_PORT = 9000;

  private final Pod template;
  private final ProcgateConfig.ControlPlane settings;

  private PodTemplate(Pod template, ProcgateConfig.ControlPlane settings) {
    this.template = template;
    this.settings = settings;
  }

  static PodTemplate of(ProcgateConfig.ControlPlane settings, KubernetesClient client) {
    Pod template =
        settings
            .podTemplate()
            .map(
                path -> {
                  try (InputStream in = Files.newInputStream(path)) {
                    return client.pods().load(in).item();
                  } catch (IOException e) {
                    throw new UncheckedIOException(
                        "cannot read procgate.control-plane.pod-template " + path, e);
                  }
                })
            .orElseGet(() -> plain(settings));
    if (template.getSpec() == null || template.getSpec().getContainers().isEmpty()) {
      throw new IllegalStateException("the pod template has no container to run the node in");
    }
    return new PodTemplate(template, settings);
  }

  /** The pod of a session with the id {@code sessionId}. */
  static String podName(String sessionId) {
    return POD_PREFIX + sessionId;
  }

  /**
   * A new session's pod.
   *
   * @param env the node's settings, added to its container's environment
   */
  Pod forSession(String sessionId, Optional<String> name, String request, Map<String, String> env) {
    // The builder copies the template deeply: no session's pod shares anything with another's.
    PodBuilder pod = new PodBuilder(template);
    Container node = template.getSpec().getContainers().get(0);
    ContainerBuilder container = new ContainerBuilder(node);
    List<EnvVar> variables = new ArrayList<>(node.getEnv());
    env.forEach((variable, value) -> variables.add(new EnvVar(variable, value, null)));
    container.withEnv(variables);
    if (node.getResources() == null
        || (node.getResources().getRequests().isEmpty()
            && node.getResources().getLimits().isEmpty())) {
      Map<String, Quantity> limits = new LinkedHashMap<>();
      limits.put("memory", new Quantity(settings.memoryLimit()));
      settings.cpuLimit().ifPresent(cpu -> limits.put("cpu", new Quantity(cpu)));
      container.withResources(
          new ResourceRequirementsBuilder()
              .addToRequests("cpu", new Quantity(settings.cpuRequest()))
              .addToRequests("memory", new Quantity(settings.memoryRequest()))
              .withLimits(limits)
              .build());
    }
    List<Container> containers = new ArrayList<>(template.getSpec().getContainers());
    containers.set(0, container.build());
    return pod.editOrNewMetadata()
        .withName(podName(sessionId))
        .withGenerateName(null)
        .addToLabels(SESSION_LABEL, sessionId)
        .addToLabels("app.kubernetes.io/name", "procgate")
        .addToLabels("app.kubernetes.io/component", "session")
        .addToAnnotations(REQUEST_ANNOTATION, request)
        .addToAnnotations(name.map(n -> Map.of(NAME_ANNOTATION, n)).orElse(Map.of()))
        .endMetadata()
        .editSpec()
        .withContainers(containers)
        // The session ends with its node; a restarted node would be an empty one.
        .withRestartPolicy("Never")
        // A session's code runs in the pod: it gets no credentials to the cluster.
        .withAutomountServiceAccountToken(false)
        .withEnableServiceLinks(false)
        .withActiveDeadlineSeconds(settings.maxLifetime().toSeconds())
        .endSpec()
        .build();
  }

  /** The name of the session a pod runs, if it has one. */
  static Optional<String> sessionName(Pod pod) {
    return Optional.ofNullable(pod.getMetadata().getAnnotations().get(NAME_ANNOTATION));
  }

  private static Pod plain(ProcgateConfig.ControlPlane settings) {
    return new PodBuilder()
        .withNewMetadata()
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("node")
        .withImage(settings.image())
        .addNewPort()
        .withName("http")
        .withContainerPort(settings.nodePort())
        .endPort()
        .addNewPort()
        .withName("management")
        .withContainerPort(MANAGEMENT_PORT)
        .endPort()
        .withNewReadinessProbe()
        .withNewHttpGet()
        .withPath("/q/health/ready")
        .withNewPort(MANAGEMENT_PORT)
        .endHttpGet()
        .withPeriodSeconds(1)
        .endReadinessProbe()
        .endContainer()
        .endSpec()
        .build();
  }
}
