package io.procgate.testing;

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
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Kubernetes' API as fabric8's mock server gives it in CRUD mode: objects are stored, watched,
 * patched and deleted as by a real API server, and nothing schedules or runs a pod.
 */
public final class KubernetesApi implements AutoCloseable {
  // The mock server logs every request it answers; the tests' output is for what goes wrong.
  private static final Logger REQUESTS = Logger.getLogger("io.fabric8.mockwebserver");

  static {
    REQUESTS.setLevel(Level.WARNING);
  }

  // The tests' own client says so, and its calls are left out of those the servers made.
  private static final String TEST_CLIENT = "procgate-tests";

  private final KubernetesMockServer server;
  private final String url;
  private final KubernetesClient client;

  private KubernetesApi(KubernetesMockServer server, String url, KubernetesClient client) {
    this.server = server;
    this.url = url;
    this.client = client;
  }

  public static KubernetesApi start() throws Exception {
    Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
    // Mixed rather than CRUD alone: it also answers the discovery calls fabric8's client makes.
    KubernetesMockServer server =
        new KubernetesMockServer(
            new Context(Serialization.jsonMapper()),
            new MockWebServer(),
            responses,
            new KubernetesMixedDispatcher(responses),
            false);
    server.init(InetAddress.getByName("127.0.0.1"), 0);
    String url = "http://127.0.0.1:" + server.getPort();
    // Not from the environment: a proxy set there would be asked for 127.0.0.1.
    KubernetesClient client =
        new KubernetesClientBuilder()
            .withConfig(
                new ConfigBuilder(Config.empty())
                    .withMasterUrl(url)
                    .withUserAgent(TEST_CLIENT)
                    .build())
            .build();
    return new KubernetesApi(server, url, client);
  }

  /** A client of this API, as a test's own view of the cluster. */
  public KubernetesClient client() {
    return client;
  }

  /** Where the API answers. */
  public String url() {
    return url;
  }

  /**
   * The calls servers made to the API since the last time this was asked, each as its method and
   * path with its query; the tests' own calls through {@link #client()} are not among them.
   */
  public List<String> takeRequests() throws InterruptedException {
    List<String> requests = new ArrayList<>();
    for (RecordedRequest request = server.takeRequest(0, TimeUnit.MILLISECONDS);
        request != null;
        request = server.takeRequest(0, TimeUnit.MILLISECONDS)) {
      if (!TEST_CLIENT.equals(request.getHeader("User-Agent"))) {
        requests.add(request.getMethod() + " " + request.getPath());
      }
    }
    return requests;
  }

  /** The settings of a control plane that keeps its sessions in {@code namespace} here. */
  public Map<String, String> controlPlaneSettings(String namespace) {
    Map<String, String> settings = new LinkedHashMap<>(ServerProcess.testSettings());
    settings.put("procgate.mode", "control-plane");
    settings.put("procgate.control-plane.key", "a secret the replicas share, long enough");
    settings.put("procgate.control-plane.namespace", namespace);
    settings.put("quarkus.kubernetes-client.api-server-url", url);
    settings.put("quarkus.kubernetes-client.no-proxy", "127.0.0.1,localhost");
    return settings;
  }

  @Override
  public void close() {
    client.close();
    server.destroy();
  }
}
