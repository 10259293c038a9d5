package io.procgate.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.procgate.client.ApiException;
import io.procgate.client.api.BrowserPlaywrightApi;
import io.procgate.client.model.Browser;
import io.procgate.client.model.BrowserCreateRequest;
import io.procgate.client.model.PlaywrightExecuteRequest;
import io.procgate.client.model.PlaywrightExecuteResult;
import io.procgate.client.model.ProcessExecRequest;
import io.procgate.client.model.ProcessExecResult;
import io.procgate.testing.CdpConnection;
import io.procgate.testing.KubernetesApi;
import io.procgate.testing.Processes;
import io.procgate.testing.ServerProcess;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The container image the build made ({@code -Pimage}), run as a container runtime would run it but
 * without one: its layers unpacked in order into a root file system, its entrypoint started there
 * as PID 1 of new mount and PID namespaces, with its environment and working directory, a fresh
 * /proc, /dev/pts, /dev/shm and /tmp, and no cgroup file system (a pod's is read-only). The network
 * is the host's, as with host networking. The control plane runs from it as the manifests in
 * deploy/kubernetes configure it.
 */
@Timeout(300)
class ImageIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String IMAGE = System.getProperty("procgate.image", "");
  private static final Path MANIFESTS = Path.of(System.getProperty("procgate.manifests", ""));
  private static final String NAMESPACE = "procgate";

  private static Path work;
  private static Path root;
  private static JsonNode config;
  private static String name;

  @BeforeAll
  static void unpack() throws Exception {
    assumeTrue(!IMAGE.isEmpty(), "no image built: run with -Pimage");
    Path image = Path.of(IMAGE);
    assertThat(image).as("the image the build made").isRegularFile();
    work = Files.createTempDirectory("procgate-image");
    root = Files.createDirectory(work.resolve("root"));
    Path archive = Files.createDirectory(work.resolve("archive"));
    run("tar", "-xf", image.toString(), "-C", archive.toString());
    JsonNode manifest = JSON.readTree(archive.resolve("manifest.json").toFile()).get(0);
    for (JsonNode layer : manifest.path("Layers")) {
      run(
          "tar",
          "--warning=no-unknown-keyword",
          "--numeric-owner",
          "-xpf",
          archive.resolve(layer.asText()).toString(),
          "-C",
          root.toString());
    }
    name = manifest.path("RepoTags").path(0).asText();
    config =
        JSON.readTree(archive.resolve(manifest.path("Config").asText()).toFile()).path("config");
    run("rm", "-rf", archive.toString());
    Files.copy(Path.of("/etc/hosts"), root.resolve("etc/hosts"));
  }

  @AfterAll
  static void remove() throws Exception {
    if (work != null) {
      // Its mounts end with the last process in its namespace: none may be left.
      assertThat(processesIn(root)).as("processes left in the unpacked image").isEmpty();
      // Not by @TempDir, which warns of each of the root's absolute symbolic links.
      run("rm", "-rf", "--one-file-system", work.toString());
    }
  }

  @Test
  void theImagesEntrypointServesASessionWithItsOwnChromiumAndStopsOnSigterm() throws Exception {
    String token = ServerProcess.newToken();
    try (Running container =
        Running.start(
            Map.of("KERNEL_API_KEY", token, "PROCGATE_BROWSER_REQUIRED", "true"),
            token,
            0,
            false)) {
      ServerProcess server = container.server();
      Browser session = server.browsers().createBrowser(new BrowserCreateRequest().name("image"));

      // PID 1 is the entrypoint's tini, and the server the image's own Java.
      Path java = root.resolve("etc/alternatives/java");
      String imageJava = Files.readSymbolicLink(java).toString();
      ProcessExecResult result =
          server
              .processes()
              .processExec(
                  session.getSessionId(),
                  new ProcessExecRequest()
                      .command("sh")
                      .args(List.of("-c", "readlink /proc/1/exe; readlink /proc/$PPID/exe"))
                      // The session's own account may not look into root's processes.
                      .asRoot(true));
      assertThat(result.getExitCode()).isZero();
      assertThat(decode(result.getStdoutB64()))
          .isEqualTo(config.path("Entrypoint").get(0).asText() + "\n" + imageJava + "\n");
      assertThat(imageJava).startsWith("/usr/lib/jvm/java-17-openjdk-");

      try (CdpConnection cdp = CdpConnection.open(session.getCdpWsUrl())) {
        assertThat(cdp.call("Browser.getVersion", CdpConnection.params()).path("product").asText())
            .startsWith("Chrome/");
        String page = cdp.openPage("data:text/html,<title>In the image</title>");
        await()
            .atMost(Duration.ofSeconds(20))
            .until(() -> "In the image".equals(cdp.evaluate(page, "document.title").asText()));
      }

      // The image's own Node.js and playwright-core, which its base names in its environment.
      PlaywrightExecuteResult run =
          new BrowserPlaywrightApi(server.client())
              .playwrightExecute(
                  session.getSessionId(),
                  new PlaywrightExecuteRequest()
                      .code(
                          "await page.goto('data:text/html,<title>Playwright in the image</title>');"
                              + " return await page.title();"));
      assertThat(run.getSuccess()).as(run.toString()).isTrue();
      assertThat(run.getResult()).isEqualTo("Playwright in the image");

      container.stopAsAPodIs();
      assertThat(server.log()).contains("procgate-server stopped");
    }
  }

  /**
   * The control plane from the image with the Deployment's environment, user and read-only root,
   * the pod template mounted where the Deployment mounts its ConfigMap, against fabric8's mock API
   * server: it starts, makes a session's pod from the template, and calls the API only with verbs
   * the manifests' Role grants.
   */
  @Test
  void theControlPlaneRunsFromTheImageAsTheManifestsSayWithinItsRole() throws Exception {
    try (KubernetesApi api = KubernetesApi.start()) {
      KubernetesClient kube = api.client();
      Deployment deployment = manifest(kube, "control-plane.yaml", Deployment.class);
      Container spec = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
      PodSecurityContext user = deployment.getSpec().getTemplate().getSpec().getSecurityContext();
      assertThat(spec.getImage()).as("the Deployment's image").isEqualTo(name);

      String token = ServerProcess.newToken();
      Map<String, String> secret =
          Map.of("api-key", token, "control-plane-key", "a secret of the replicas, long enough");
      Map<String, String> environment = new LinkedHashMap<>();
      for (EnvVar variable : spec.getEnv()) {
        environment.put(
            variable.getName(),
            variable.getValue() != null
                ? variable.getValue()
                : secret.get(variable.getValueFrom().getSecretKeyRef().getKey()));
      }
      // What the cluster gives a pod: the API server's address and the pod's namespace.
      environment.put("QUARKUS_KUBERNETES_CLIENT_API_SERVER_URL", api.url());
      environment.put("QUARKUS_KUBERNETES_CLIENT_NAMESPACE", NAMESPACE);
      environment.put("PROCGATE_CONTROL_PLANE_START_TIMEOUT", "5s");

      ConfigMap templates = manifest(kube, "pod-template.yaml", ConfigMap.class);
      VolumeMount mount =
          spec.getVolumeMounts().stream()
              .filter(volume -> volume.getName().equals("pod-template"))
              .findFirst()
              .orElseThrow();
      Path mounted = Files.createDirectories(root.resolve(mount.getMountPath().substring(1)));
      for (Map.Entry<String, String> file : templates.getData().entrySet()) {
        Files.writeString(mounted.resolve(file.getKey()), file.getValue());
      }
      api.takeRequests();

      try (Running container =
          Running.start(
              environment,
              token,
              user.getRunAsUser(),
              spec.getSecurityContext().getReadOnlyRootFilesystem())) {
        ServerProcess controlPlane = container.server();
        CompletableFuture<ApiException> create =
            CompletableFuture.supplyAsync(
                () ->
                    assertThrows(
                        ApiException.class,
                        () ->
                            controlPlane
                                .browsers()
                                .createBrowser(new BrowserCreateRequest().name("from-image"))));
        Pod pod =
            await()
                .atMost(Duration.ofSeconds(20))
                .until(
                    () -> kube.pods().inNamespace(NAMESPACE).list().getItems(),
                    pods -> !pods.isEmpty())
                .get(0);
        Container node = pod.getSpec().getContainers().get(0);
        assertThat(node.getImage()).as("the pod template's image").isEqualTo(name);
        assertThat(node.getEnv()).extracting(EnvVar::getName).contains("PROCGATE_POD_SESSION_ID");
        assertThat(node.getVolumeMounts()).extracting(VolumeMount::getMountPath).contains("/tmp");
        assertThat(pod.getSpec().getAutomountServiceAccountToken()).isFalse();

        // No kubelet runs it: the create gives up at its budget and leaves nothing.
        ApiException refused = create.get(30, TimeUnit.SECONDS);
        assertThat(refused.getCode()).isEqualTo(503);
        assertThat(kube.pods().inNamespace(NAMESPACE).list().getItems()).isEmpty();
        assertThat(kube.leases().inNamespace(NAMESPACE).list().getItems()).isEmpty();
        container.stopAsAPodIs();
      }

      Set<String> granted = new HashSet<>();
      for (var rule : manifest(kube, "rbac.yaml", Role.class).getRules()) {
        for (String group : rule.getApiGroups()) {
          for (String resource : rule.getResources()) {
            rule.getVerbs().forEach(verb -> granted.add(group + "/" + resource + " " + verb));
          }
        }
      }
      Set<String> used = new HashSet<>();
      for (String request : api.takeRequests()) {
        if (!DISCOVERY.matcher(request).matches()) {
          used.add(verb(request));
        }
      }
      assertThat(used).contains("/pods create", "/pods watch", "coordination.k8s.io/leases create");
      assertThat(granted).containsAll(used);
    }
  }

  // What any client may ask of any API server: versions and the groups it serves.
  private static final Pattern DISCOVERY =
      Pattern.compile("GET /(version|api|apis|openapi/.*|api/v1|apis/[^/]+(/[^/]+)?)(\\?.*)?");

  private static final Pattern RESOURCE_CALL =
      Pattern.compile(
          "(GET|POST|PUT|PATCH|DELETE) /(?:api/v1|apis/([^/]+)/[^/]+)/namespaces/[^/]+/([^/?]+)"
              + "(/[^/?]+)?(\\?.*)?");

  /**
   * An API call as RBAC names it ("group/resource verb"); one a namespace's Role cannot grant (a
   * subresource, a cluster-wide call) as itself, which no rule matches.
   */
  private static String verb(String request) {
    Matcher call = RESOURCE_CALL.matcher(request);
    if (!call.matches()) {
      return request;
    }
    boolean named = call.group(4) != null;
    String query = call.group(5) == null ? "" : call.group(5);
    String verb =
        switch (call.group(1)) {
          case "GET" -> named ? "get" : query.contains("watch=true") ? "watch" : "list";
          case "POST" -> "create";
          case "PUT" -> "update";
          case "PATCH" -> "patch";
          default -> named ? "delete" : "deletecollection";
        };
    return (call.group(2) == null ? "" : call.group(2)) + "/" + call.group(3) + " " + verb;
  }

  private static <T extends HasMetadata> T manifest(
      KubernetesClient kube, String file, Class<T> kind) throws IOException {
    try (InputStream in = Files.newInputStream(MANIFESTS.resolve(file))) {
      return kube.load(in).items().stream()
          .filter(kind::isInstance)
          .map(kind::cast)
          .findFirst()
          .orElseThrow(() -> new AssertionError("no " + kind.getSimpleName() + " in " + file));
    }
  }

  /** The image's entrypoint, running in its root. */
  private record Running(Process unshare, ProcessHandle init, ServerProcess server)
      implements AutoCloseable {
    static Running start(Map<String, String> settings, String token, long uid, boolean readOnly)
        throws Exception {
      int port = ServerProcess.freePort();
      int managementPort = ServerProcess.freePort();
      List<String> environment = new ArrayList<>();
      config.path("Env").forEach(variable -> environment.add(variable.asText()));
      settings.forEach((name, value) -> environment.add(name + "=" + value));
      environment.add("QUARKUS_HTTP_PORT=" + port);
      environment.add("PROCGATE_MANAGEMENT_PORT=" + managementPort);

      List<String> mounts = new ArrayList<>();
      if (readOnly) {
        mounts.add("mount --bind \"$0\" \"$0\"");
        mounts.add("mount -o remount,bind,ro \"$0\"");
      }
      mounts.add("mount -t proc proc \"$0/proc\"");
      mounts.add("mount -t tmpfs tmpfs \"$0/tmp\"");
      mounts.add("mount -t devpts -o newinstance,ptmxmode=0666 devpts \"$0/dev/pts\"");
      mounts.add("mount -t tmpfs tmpfs \"$0/dev/shm\"");
      mounts.add("exec chroot \"$0\" \"$@\"");
      List<String> command = new ArrayList<>();
      command.addAll(List.of("unshare", "--mount", "--pid", "--fork", "--kill-child=SIGKILL"));
      command.addAll(List.of("sh", "-c", String.join(" && ", mounts), root.toString()));
      // Its own death signal: a change of user clears the one unshare's --kill-child set.
      command.addAll(
          List.of(
              "setpriv",
              "--reuid=" + uid,
              "--regid=" + uid,
              "--clear-groups",
              "--pdeathsig=KILL",
              "--"));
      command.addAll(
          List.of("/usr/bin/env", "-i", "--chdir=" + config.path("WorkingDir").asText("/")));
      command.addAll(environment);
      config.path("Entrypoint").forEach(part -> command.add(part.asText()));

      Files.createDirectories(root.resolve("dev/pts"));
      Files.createDirectories(root.resolve("dev/shm"));
      Path log = Files.createTempFile(work, "container", ".log");
      Process unshare =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      try {
        ServerProcess server =
            ServerProcess.adopt(unshare, port, managementPort, token, root.resolve("tmp"), log);
        return new Running(unshare, unshare.children().findFirst().orElseThrow(), server);
      } catch (Exception | AssertionError e) {
        unshare.children().forEach(ProcessHandle::destroyForcibly);
        unshare.destroyForcibly();
        unshare.waitFor(30, TimeUnit.SECONDS);
        throw e;
      }
    }

    /** SIGTERM to PID 1, as a pod is stopped; tini passes it on to the server. */
    void stopAsAPodIs() throws Exception {
      init.destroy();
      init.onExit().get(60, TimeUnit.SECONDS);
      assertThat(unshare.waitFor(10, TimeUnit.SECONDS)).isTrue();
    }

    @Override
    public void close() throws InterruptedException {
      init.destroyForcibly();
      unshare.destroyForcibly();
      unshare.waitFor(30, TimeUnit.SECONDS);
    }
  }

  /** The processes whose root directory is {@code root} or below it. */
  private static List<Long> processesIn(Path root) {
    return Processes.all().stream()
        .map(Processes.Stat::pid)
        .filter(
            pid -> {
              try {
                return Files.readSymbolicLink(Path.of("/proc", pid.toString(), "root"))
                    .startsWith(root);
              } catch (IOException gone) {
                return false;
              }
            })
        .toList();
  }

  private static void run(String... command) throws Exception {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor()).as(String.join(" ", command) + ": " + output).isZero();
  }

  private static String decode(String base64) {
    return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
  }
}
