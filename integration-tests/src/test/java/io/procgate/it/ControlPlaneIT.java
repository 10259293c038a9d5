package io.procgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.procgate.client.ApiException;
import io.procgate.client.model.BrowserCreateRequest;
import io.procgate.testing.ServerProcess;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Queue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The control plane against Kubernetes' API (fabric8's mock server, in CRUD mode), with no kubelet:
 * its pods are never scheduled, so every create must fail cleanly and leave nothing behind.
 */
@Timeout(120)
class ControlPlaneIT {
  private static final String NAMESPACE = "procgate";
  private static KubernetesMockServer api;
  private static KubernetesClient kube;
  private static ServerProcess controlPlane;

  @BeforeAll
  static void start() throws Exception {
    Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
    api =
        new KubernetesMockServer(
            new Context(Serialization.jsonMapper()),
            new MockWebServer(),
            responses,
            new KubernetesMixedDispatcher(responses),
            false);
    api.init(InetAddress.getByName("127.0.0.1"), 0);
    String url = "http://127.0.0.1:" + api.getPort();
    kube =
        new KubernetesClientBuilder()
            .withConfig(new ConfigBuilder(Config.empty()).withMasterUrl(url).build())
            .build();
    Map<String, String> settings = new LinkedHashMap<>(ServerProcess.testSettings());
    settings.put("procgate.mode", "control-plane");
    settings.put("procgate.control-plane.key", "a secret the replicas share, long enough");
    settings.put("procgate.control-plane.namespace", NAMESPACE);
    settings.put("procgate.control-plane.start-timeout", "3s");
    settings.put("quarkus.kubernetes-client.api-server-url", url);
    settings.put("quarkus.kubernetes-client.no-proxy", "127.0.0.1,localhost");
    controlPlane = ServerProcess.start(settings);
  }

  @AfterAll
  static void stop() throws Exception {
    if (controlPlane != null) {
      controlPlane.close();
    }
    if (kube != null) {
      kube.close();
    }
    if (api != null) {
      api.destroy();
    }
  }

  @Test
  void aPodThatNeverBecomesReadyIsA503AndLeavesNeitherPodNorName() throws Exception {
    ApiException refused =
        org.junit.jupiter.api.Assertions.assertThrows(
            ApiException.class,
            () -> controlPlane.browsers().createBrowser(new BrowserCreateRequest().name("never")));

    assertThat(refused.getCode()).isEqualTo(503);
    assertThat(refused.getResponseBody())
        .contains("browser_start_failed")
        .contains("not ready within 3 s");
    assertThat(kube.pods().inNamespace(NAMESPACE).list().getItems()).isEmpty();
    assertThat(kube.leases().inNamespace(NAMESPACE).list().getItems()).isEmpty();
    assertThat(controlPlane.browsers().listBrowsers(0, 20)).isEmpty();
  }

  @Test
  void aSessionThatIsNotThereIsA404() {
    ApiException missing =
        org.junit.jupiter.api.Assertions.assertThrows(
            ApiException.class, () -> controlPlane.browsers().getBrowser("nobody"));

    assertThat(missing.getCode()).isEqualTo(404);
    assertThat(missing.getResponseBody()).contains("session_not_found");
  }
}
