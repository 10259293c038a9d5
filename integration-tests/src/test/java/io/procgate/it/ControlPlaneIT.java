package io.procgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.procgate.client.ApiException;
import io.procgate.client.model.BrowserCreateRequest;
import io.procgate.testing.KubernetesApi;
import io.procgate.testing.ServerProcess;
import java.util.Map;
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
  private static KubernetesApi api;
  private static KubernetesClient kube;
  private static ServerProcess controlPlane;

  @BeforeAll
  static void start() throws Exception {
    api = KubernetesApi.start();
    kube = api.client();
    Map<String, String> settings = api.controlPlaneSettings(NAMESPACE);
    settings.put("procgate.control-plane.start-timeout", "3s");
    controlPlane = ServerProcess.start(settings);
  }

  @AfterAll
  static void stop() throws Exception {
    if (controlPlane != null) {
      controlPlane.close();
    }
    if (api != null) {
      api.close();
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
