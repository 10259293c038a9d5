package io.procgate.it;

import static io.procgate.testing.Refusals.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.PodResource;
import io.procgate.client.ApiException;
import io.procgate.client.api.BrowserProcessesApi;
import io.procgate.client.api.BrowsersApi;
import io.procgate.client.model.Browser;
import io.procgate.client.model.BrowserCreateRequest;
import io.procgate.client.model.ProcessExecRequest;
import io.procgate.client.model.ProcessExecResult;
import io.procgate.client.model.ProcessSpawnRequest;
import io.procgate.client.model.ProcessSpawnResult;
import io.procgate.client.model.ProcessStdinRequest;
import io.procgate.client.stream.FileTransfers;
import io.procgate.client.stream.ProcessOutput;
import io.procgate.testing.CdpConnection;
import io.procgate.testing.KubernetesApi;
import io.procgate.testing.ServerProcess;
import io.procgate.testing.TestKubelet;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A control plane of two replicas against Kubernetes' API (fabric8's mock server) with a test
 * kubelet that runs every pod's node as a real server process on a loopback address of its own:
 * sessions made, used, listed and deleted through either replica, by Kernel's SDK and by the
 * generated client, and what happens when a replica, a node or a create fails midway.
 */
@Timeout(300)
class ClusterIT {
  private static final String NAMESPACE = "sessions";
  private static final String KEY = "it-cluster-" + UUID.randomUUID();
  // A node runs one session: a small heap and the quick compiler alone are plenty, and fifty of
  // them must start and fit beside the rest.
  private static final List<String> NODE_JVM =
      List.of("-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
  // Sessions named so run without a browser: fifty Chromiums do not fit on the test machine
  // beside fifty nodes, and what the fleet test checks is the control plane, not Chromium.
  private static final String FLEET = "fleet-";

  private static KubernetesApi api;
  private static KubernetesClient kube;
  private static TestKubelet kubelet;
  private static Map<String, String> controlPlane;
  private static ServerProcess replicaA;
  private static ServerProcess replicaB;

  @BeforeAll
  static void start() throws Exception {
    api = KubernetesApi.start();
    kube = api.client();
    controlPlane = api.controlPlaneSettings(NAMESPACE);
    controlPlane.put(
        "procgate.control-plane.node-port", Integer.toString(ServerProcess.freePort()));
    controlPlane.put("procgate.control-plane.start-timeout", "90s");
    kubelet = new TestKubelet(kube, NAMESPACE, ClusterIT::nodeSettings, NODE_JVM);
    CompletableFuture<ServerProcess> second =
        CompletableFuture.supplyAsync(ClusterIT::startReplica);
    replicaA = startReplica();
    replicaB = second.join();
  }

  private static Map<String, String> nodeSettings(Pod pod) {
    Map<String, String> settings = new LinkedHashMap<>(ServerProcess.testSettings());
    // A create abandoned midway is over in seconds here rather than in a minute.
    settings.put("procgate.pod.claim-timeout", "30s");
    String name = pod.getMetadata().getAnnotations().getOrDefault("procgate.io/name", "");
    if (name.startsWith(FLEET)) {
      settings.put("procgate.browser.executable", "/nonexistent/chromium");
    }
    return settings;
  }

  private static ServerProcess startReplica() {
    try {
      return ServerProcess.startWithKey(controlPlane, KEY);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @AfterAll
  static void stop() throws Exception {
    for (ServerProcess replica : new ServerProcess[] {replicaA, replicaB}) {
      if (replica != null) {
        replica.close();
      }
    }
    if (kubelet != null) {
      kubelet.close();
    }
    if (api != null) {
      api.close();
    }
  }

  /** Every test leaves the cluster as it found it: no pod, no name claim, no node. */
  @AfterEach
  void nothingIsLeft() throws Exception {
    // What a failed test left is removed, so that the next one starts clean, and then reported.
    Set<String> left = listAll(replicaA);
    for (String id : left) {
      browsers(replicaA).deleteBrowser(id);
    }
    kube.pods().inNamespace(NAMESPACE).informOnCondition(List::isEmpty).get(60, TimeUnit.SECONDS);
    assertThat(kube.leases().inNamespace(NAMESPACE).list().getItems()).isEmpty();
    assertThat(kubelet.running()).isEmpty();
    assertThat(left).as("sessions the test left").isEmpty();
  }

  @Test
  void kernelsSdkDrivesSessionsThroughTheControlPlaneItsCallsRoutedToTheirBaseUrl()
      throws Exception {
    // Routed, the SDK sends process calls to base_url with the session's jwt alone. Not file
    // calls: SDK 0.84.0 sends a routed upload's form with a boundary other than its header's.
    SdkCompatibilityIT.assertSawWhatKernelShows(
        SdkCompatibilityIT.runSdkCheck(
            replicaA.baseUri(), KEY, Map.of("KERNEL_BROWSER_ROUTING_SUBRESOURCES", "process")));
  }

  @Test
  void theLiveViewIsRelayedToItsPodAndTakesClicksButNotTheReadOnlyViewsThere() throws Exception {
    JsonNode seen =
        SdkCompatibilityIT.runSdkScript("live-view-check.mjs", replicaB.baseUri(), KEY, Map.of());

    assertThat(seen.at("/urls/live").asText()).startsWith(replicaB.baseUri() + "/live/");
    assertThat(seen.at("/drawn").toString()).isEqualTo("[255,0,0]");
    assertThat(seen.at("/afterClick").asText()).isEqualTo("clicks:1");
    assertThat(seen.at("/afterReadOnlyClick").asText()).isEqualTo("clicks:2");
  }

  @Test
  void aSessionRunsInAPodOfItsOwnAndEitherReplicaServesEveryCall() throws Exception {
    Browser session = browsers(replicaA).createBrowser(new BrowserCreateRequest().name("one"));
    String id = session.getSessionId();
    ServerProcess node = kubelet.node(id).get();

    assertThat(session.getCdpWsUrl()).startsWith("ws://127.0.0.1:" + port(replicaA) + "/cdp/");
    assertThat(session.getBaseUrl()).isEqualTo(replicaA.baseUri() + "/browsers/" + id);
    assertThat(pod(id).get().getStatus().getPodIP()).isEqualTo(node.baseUri().getHost());
    assertThat(browsers(replicaB).getBrowser("one").getSessionId()).isEqualTo(id);
    assertThat(browsers(replicaA).listBrowsers(0, 20))
        .extracting(Browser::getSessionId)
        .containsExactly(id);
    // The other replica's cache sees the new session a moment later.
    await().atMost(Duration.ofSeconds(10)).until(() -> listAll(replicaB).equals(Set.of(id)));

    // Processes run on the node, in the session's directory there.
    assertThat(exec(replicaB, id, "pwd")).isEqualTo(session.getWorkDir() + "\n");
    assertThat(session.getWorkDir()).startsWith(node.sessionsRoot().toString());

    // A process spawned through one replica is streamed and fed through the other.
    ProcessSpawnResult cat =
        processes(replicaB).processSpawn(id, new ProcessSpawnRequest().command("cat"));
    Streams output = Streams.read(replicaA, id, cat.getProcessId().toString(), null);
    stdin(replicaB, id, cat, "through the control plane\n", true);
    List<ProcessOutput.Event> events = output.ended.get(30, TimeUnit.SECONDS);
    assertThat(Streams.text(events, "stdout")).isEqualTo("through the control plane\n");
    assertThat(Streams.exitCode(events)).isZero();

    // Files both ways.
    String in = session.getWorkDir() + "/in.txt";
    FileTransfers.writeFile(
        replicaA.client(), id, in, BodyPublishers.ofString("uploaded to a pod"), null);
    exec(replicaB, id, "tr a-z A-Z < in.txt > out.txt");
    try (InputStream out =
        FileTransfers.readFile(replicaA.client(), id, session.getWorkDir() + "/out.txt")) {
      assertThat(new String(out.readAllBytes(), StandardCharsets.UTF_8))
          .isEqualTo("UPLOADED TO A POD");
    }

    // Kernel's SDK routing: the session's jwt alone, at its base_url, on either replica.
    String jwt = URI.create(session.getCdpWsUrl()).getQuery().substring("jwt=".length());
    HttpResponse<String> routed =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create(
                            replicaB.baseUri() + "/browsers/" + id + "/process/exec?jwt=" + jwt))
                    .header("Content-Type", "application/json")
                    .POST(BodyPublishers.ofString("{\"command\":\"echo\",\"args\":[\"routed\"]}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(routed.statusCode()).as(routed.body()).isEqualTo(200);
    assertThat(routed.body()).contains(base64("routed\n"));

    // The browser over CDP, through either replica.
    for (ServerProcess replica : List.of(replicaA, replicaB)) {
      try (CdpConnection cdp = CdpConnection.open(cdpUrl(session, replica))) {
        String page = cdp.openPage("data:text/html,<title>In a pod</title>");
        await()
            .atMost(Duration.ofSeconds(20))
            .until(() -> "In a pod".equals(cdp.evaluate(page, "document.title").asText()));
      }
    }

    browsers(replicaB).deleteBrowser("one");

    assertThat(pod(id).get()).isNull();
    assertThat(node.process().isAlive()).isFalse();
    assertRefused(() -> browsers(replicaA).getBrowser(id), 404, "session_not_found");
  }

  @Test
  void aNameTakenOnOneReplicaIsRefusedOnTheOtherAndTwoAtOnceGetItOnce() throws Exception {
    Browser first = browsers(replicaA).createBrowser(new BrowserCreateRequest().name("unique"));

    assertRefused(
        () -> browsers(replicaB).createBrowser(new BrowserCreateRequest().name("unique")),
        409,
        "name_taken");
    assertThat(kube.pods().inNamespace(NAMESPACE).list().getItems()).hasSize(1);
    browsers(replicaB).deleteBrowser(first.getSessionId());

    ExecutorService both = Executors.newFixedThreadPool(2);
    try {
      List<Future<Browser>> creates = new ArrayList<>();
      for (ServerProcess replica : List.of(replicaA, replicaB)) {
        creates.add(
            both.submit(
                () ->
                    browsers(replica).createBrowser(new BrowserCreateRequest().name("contested"))));
      }
      List<Browser> made = new ArrayList<>();
      List<Integer> refused = new ArrayList<>();
      for (Future<Browser> create : creates) {
        try {
          made.add(create.get(120, TimeUnit.SECONDS));
        } catch (ExecutionException e) {
          refused.add(((ApiException) e.getCause()).getCode());
        }
      }
      assertThat(made).hasSize(1);
      assertThat(refused).containsExactly(409);
      browsers(replicaA).deleteBrowser("contested");
    } finally {
      both.shutdownNow();
    }
  }

  @Test
  void aReplicaKilledLosesOnlyTheConnectionsItCarried() throws Exception {
    ServerProcess doomed = startReplica();
    Browser session = browsers(replicaA).createBrowser(new BrowserCreateRequest());
    String id = session.getSessionId();
    try (doomed;
        CdpConnection survivor = CdpConnection.open(cdpUrl(session, replicaB));
        CdpConnection lost = CdpConnection.open(cdpUrl(session, doomed))) {
      String page = survivor.openPage("about:blank");
      ProcessSpawnResult cat =
          processes(replicaA).processSpawn(id, new ProcessSpawnRequest().command("cat"));
      String process = cat.getProcessId().toString();
      Streams through = Streams.read(replicaB, id, process, null);
      Streams cut = Streams.read(doomed, id, process, null);
      stdin(replicaA, id, cat, "before\n", false);
      await().until(() -> through.stdout().equals("before\n") && cut.stdout().equals("before\n"));

      doomed.process().destroyForcibly().waitFor();

      assertThat(lost.closed()).succeedsWithin(Duration.ofSeconds(30));
      assertThat(cut.ended).failsWithin(Duration.ofSeconds(30));
      stdin(replicaB, id, cat, "after\n", true);
      List<ProcessOutput.Event> events = through.ended.get(30, TimeUnit.SECONDS);
      assertThat(Streams.text(events, "stdout")).isEqualTo("before\nafter\n");
      assertThat(survivor.evaluate(page, "6 * 7").asInt()).isEqualTo(42);
    } finally {
      browsers(replicaB).deleteBrowser(id);
    }
  }

  @Test
  void aReplicaKilledDuringACreateLeavesNoPodAndNoNameBehind() throws Exception {
    try (ServerProcess doomed = startReplica()) {
      killDuringCreate(doomed);
    }
  }

  private static void killDuringCreate(ServerProcess doomed) throws Exception {
    CompletableFuture<Browser> create =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return browsers(doomed).createBrowser(new BrowserCreateRequest().name("orphan"));
              } catch (ApiException e) {
                throw new IllegalStateException(e);
              }
            });
    List<Pod> made =
        kube.pods()
            .inNamespace(NAMESPACE)
            .informOnCondition(pods -> !pods.isEmpty())
            .get(60, TimeUnit.SECONDS);

    doomed.process().destroyForcibly().waitFor();

    assertThat(create).failsWithin(Duration.ofSeconds(30));
    String id = made.get(0).getMetadata().getLabels().get("procgate.io/session");
    // Its node, given no session, exits; a surviving replica's sweep removes the pod and the name.
    pod(id).informOnCondition(List::isEmpty).get(90, TimeUnit.SECONDS);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> kube.leases().inNamespace(NAMESPACE).list().getItems().isEmpty());
    Browser again = browsers(replicaA).createBrowser(new BrowserCreateRequest().name("orphan"));
    browsers(replicaB).deleteBrowser(again.getSessionId());
  }

  @Test
  void aNodeKilledLeavesItsSessionReportingItsBrowserFailedAndDeletable() throws Exception {
    Browser session = browsers(replicaA).createBrowser(new BrowserCreateRequest());
    String id = session.getSessionId();

    kubelet.node(id).get().process().destroyForcibly().waitFor();
    pod(id)
        .waitUntilCondition(
            pod -> pod != null && "Failed".equals(pod.getStatus().getPhase()),
            30,
            TimeUnit.SECONDS);

    assertThat(browsers(replicaB).getBrowser(id).getBrowserState())
        .isEqualTo(Browser.BrowserStateEnum.FAILED);
    assertRefused(
        () -> processes(replicaA).processExec(id, new ProcessExecRequest().command("true")),
        503,
        "node_unavailable");
    browsers(replicaB).deleteBrowser(id);
    assertThat(pod(id).get()).isNull();
  }

  @Test
  @Timeout(600)
  void fiftySessionsCreatedEightAtATimeAcrossBothReplicasAreAllThereOnce() throws Exception {
    int count = 50;
    ExecutorService clients = Executors.newFixedThreadPool(8);
    try {
      List<Future<Browser>> creates = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        ServerProcess replica = i % 2 == 0 ? replicaA : replicaB;
        String name = FLEET + i;
        creates.add(
            clients.submit(
                () ->
                    browsers(replica)
                        .createBrowser(new BrowserCreateRequest().name(name).timeoutSeconds(600))));
      }
      Set<String> ids = new HashSet<>();
      Set<String> names = new HashSet<>();
      for (Future<Browser> create : creates) {
        Browser made = create.get(300, TimeUnit.SECONDS);
        ids.add(made.getSessionId());
        names.add(made.getName());
      }
      assertThat(ids).hasSize(count);
      assertThat(names).hasSize(count);
      assertThat(kube.pods().inNamespace(NAMESPACE).list().getItems()).hasSize(count);
      for (ServerProcess replica : List.of(replicaA, replicaB)) {
        await().atMost(Duration.ofSeconds(30)).until(() -> listAll(replica).equals(ids));
      }

      List<Future<Void>> deletes = new ArrayList<>();
      for (String id : ids) {
        deletes.add(
            clients.submit(
                () -> {
                  browsers(replicaB).deleteBrowser(id);
                  return null;
                }));
      }
      for (Future<Void> delete : deletes) {
        delete.get(300, TimeUnit.SECONDS);
      }
    } finally {
      clients.shutdownNow();
    }
  }

  private static Set<String> listAll(ServerProcess replica) throws ApiException {
    Set<String> ids = new HashSet<>();
    for (int offset = 0; ; offset += 20) {
      List<Browser> page = browsers(replica).listBrowsers(offset, 20);
      page.forEach(browser -> ids.add(browser.getSessionId()));
      if (page.size() < 20) {
        return ids;
      }
    }
  }

  private static String exec(ServerProcess replica, String id, String command) throws Exception {
    ProcessExecResult result =
        processes(replica).processExec(id, new ProcessExecRequest().command(command));
    assertThat(result.getExitCode()).as(command).isZero();
    return new String(Base64.getDecoder().decode(result.getStdoutB64()), StandardCharsets.UTF_8);
  }

  private static void stdin(
      ServerProcess replica, String id, ProcessSpawnResult process, String text, boolean close)
      throws ApiException {
    processes(replica)
        .processStdin(
            id,
            process.getProcessId().toString(),
            new ProcessStdinRequest().dataB64(base64(text)).close(close));
  }

  private static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  /** The session's CDP URL, as {@code replica} would have given it. */
  private static String cdpUrl(Browser session, ServerProcess replica) {
    return session.getCdpWsUrl().replace(":" + port(replicaA) + "/", ":" + port(replica) + "/");
  }

  private static int port(ServerProcess replica) {
    return replica.baseUri().getPort();
  }

  private static PodResource pod(String sessionId) {
    return kube.pods().inNamespace(NAMESPACE).withName("procgate-" + sessionId);
  }

  private static BrowsersApi browsers(ServerProcess replica) {
    return replica.browsers();
  }

  private static BrowserProcessesApi processes(ServerProcess replica) {
    return replica.processes();
  }
}
