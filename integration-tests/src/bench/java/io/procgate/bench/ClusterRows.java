package io.procgate.bench;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.procgate.client.ProcgateClient;
import io.procgate.client.api.BrowserProcessesApi;
import io.procgate.client.model.Browser;
import io.procgate.client.model.BrowserCreateRequest;
import io.procgate.client.model.ProcessExecRequest;
import io.procgate.testing.CdpConnection;
import io.procgate.testing.KubernetesApi;
import io.procgate.testing.ServerProcess;
import io.procgate.testing.TestKubelet;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Row 11, the control plane: against fabric8's mock API server with the test kubelet, whose pods'
 * nodes are real servers on loopback addresses of their own. A session's create to CDP-ready
 * through the control plane (its pod's node started for it) next to a create on a node already
 * running; an exec and a CDP round trip through the control plane next to the same on the session's
 * node directly.
 */
final class ClusterRows {
  private static final String NAMESPACE = "bench";
  private static final int STARTS = 5;
  private static final int CALLS = 3000;
  private static final int ROUNDS = 3;
  private static final int WARM_UP = 3000;

  private final Map<String, String> nodeSettings;

  ClusterRows(Map<String, String> nodeSettings) {
    this.nodeSettings = nodeSettings;
  }

  void measure(List<String> rows) throws Exception {
    try (KubernetesApi api = KubernetesApi.start();
        TestKubelet kubelet =
            new TestKubelet(api.client(), NAMESPACE, pod -> nodeSettings, List.of());
        ServerProcess controlPlane = ServerProcess.start(controlPlaneSettings(api));
        ServerProcess node = ServerProcess.start(nodeSettings)) {
      double through = createToCdpReady(controlPlane);
      double alone = createToCdpReady(node);
      rows.add(
          Benchmark.formatRow(
              "11",
              "create to CDP-ready through the control plane (a pod's node started), p50",
              Benchmark.ms(through),
              "on a running node " + Benchmark.ms(alone),
              through / alone,
              ""));

      Browser session = controlPlane.browsers().createBrowser(new BrowserCreateRequest());
      try {
        ServerProcess pod = kubelet.node(session.getSessionId()).get(60, TimeUnit.SECONDS);
        String podKey = podApiKey(api, session.getSessionId());
        execs(controlPlane, pod, podKey, session.getSessionId(), rows);
        roundTrips(session, pod, rows);
      } finally {
        controlPlane.browsers().deleteBrowser(session.getSessionId());
      }
    }
  }

  private Map<String, String> controlPlaneSettings(KubernetesApi api) throws Exception {
    Map<String, String> settings = api.controlPlaneSettings(NAMESPACE);
    settings.put("procgate.control-plane.node-port", Integer.toString(ServerProcess.freePort()));
    return settings;
  }

  /** The median milliseconds from a create's request to its browser's first CDP answer. */
  private static double createToCdpReady(ServerProcess server) throws Exception {
    double[] millis = new double[STARTS];
    for (int i = 0; i < STARTS; i++) {
      long t0 = System.nanoTime();
      Browser session = server.browsers().createBrowser(new BrowserCreateRequest());
      try (CdpConnection cdp = CdpConnection.open(session.getCdpWsUrl())) {
        cdp.call("Browser.getVersion", CdpConnection.params());
      }
      millis[i] = (System.nanoTime() - t0) / 1e6;
      server.browsers().deleteBrowser(session.getSessionId());
    }
    return Benchmark.median(millis);
  }

  /** The key the control plane presents to the session's node, from the pod's environment. */
  private static String podApiKey(KubernetesApi api, String sessionId) {
    Pod pod = api.client().pods().inNamespace(NAMESPACE).withName("procgate-" + sessionId).get();
    return pod.getSpec().getContainers().get(0).getEnv().stream()
        .filter(variable -> variable.getName().equals("KERNEL_API_KEY"))
        .map(EnvVar::getValue)
        .findFirst()
        .orElseThrow();
  }

  private static void execs(
      ServerProcess controlPlane, ServerProcess pod, String podKey, String id, List<String> rows)
      throws Exception {
    BrowserProcessesApi relayed = controlPlane.processes();
    BrowserProcessesApi direct =
        new BrowserProcessesApi(ProcgateClient.create(pod.baseUri(), podKey));
    ProcessExecRequest echo = new ProcessExecRequest().command("/bin/echo").args(List.of("hello"));
    for (int i = 0; i < WARM_UP; i++) {
      relayed.processExec(id, echo);
      direct.processExec(id, echo);
    }
    Latencies through = new Latencies(CALLS);
    Latencies straight = new Latencies(CALLS);
    for (int round = 0; round < ROUNDS; round++) {
      for (int i = 0; i < CALLS / ROUNDS; i++) {
        long t0 = System.nanoTime();
        relayed.processExec(id, echo);
        through.add(System.nanoTime() - t0);
      }
      for (int i = 0; i < CALLS / ROUNDS; i++) {
        long t0 = System.nanoTime();
        direct.processExec(id, echo);
        straight.add(System.nanoTime() - t0);
      }
    }
    addRows(rows, "exec of `/bin/echo hello`", through, straight, "on the session's node");
  }

  private static void roundTrips(Browser session, ServerProcess pod, List<String> rows)
      throws Exception {
    URI relayed = URI.create(session.getCdpWsUrl());
    // The session's token works on its node too; only the address differs.
    String direct =
        session.getCdpWsUrl().replace(relayed.getRawAuthority(), pod.baseUri().getRawAuthority());
    Latencies through = new Latencies(CALLS);
    Latencies straight = new Latencies(CALLS);
    try (CdpConnection viaControlPlane = CdpConnection.open(session.getCdpWsUrl());
        CdpConnection viaNode = CdpConnection.open(direct)) {
      String throughPage = BrowserRows.page(viaControlPlane);
      String straightPage = BrowserRows.page(viaNode);
      for (int i = 0; i < WARM_UP; i++) {
        BrowserRows.evaluate(viaControlPlane, throughPage);
        BrowserRows.evaluate(viaNode, straightPage);
      }
      for (int round = 0; round < ROUNDS; round++) {
        for (int i = 0; i < CALLS / ROUNDS; i++) {
          long t0 = System.nanoTime();
          BrowserRows.evaluate(viaControlPlane, throughPage);
          through.add(System.nanoTime() - t0);
        }
        for (int i = 0; i < CALLS / ROUNDS; i++) {
          long t0 = System.nanoTime();
          BrowserRows.evaluate(viaNode, straightPage);
          straight.add(System.nanoTime() - t0);
        }
      }
    }
    addRows(
        rows,
        "CDP round trip (`Runtime.evaluate` of `1+1`)",
        through,
        straight,
        "through the node's own relay");
  }

  private static void addRows(
      List<String> rows, String what, Latencies through, Latencies straight, String baseline) {
    double ours = through.percentileMillis(50);
    double base = straight.percentileMillis(50);
    rows.add(
        Benchmark.formatRow(
            "11",
            what + " through the control plane, p50",
            Benchmark.ms(ours),
            baseline + " " + Benchmark.ms(base),
            ours / base,
            "≤ 1.3x"));
  }
}
