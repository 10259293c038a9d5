package io.procgate.testing;

import io.procgate.client.ApiClient;
import io.procgate.client.ProcgateClient;
import io.procgate.client.api.BrowserProcessesApi;
import io.procgate.client.api.BrowsersApi;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** The packaged server, started as its own process on a free port, as a user would run it. */
public final class ServerProcess implements AutoCloseable {
  private static final Duration START_LIMIT = Duration.ofSeconds(60);
  private static final String LOOPBACK = "127.0.0.1";

  private static final Path CURRENT_JAVA =
      Path.of(ProcessHandle.current().info().command().orElse("java"));

  private final Process process;
  private final String address;
  private final int port;
  private final int managementPort;
  private final String token;
  private final Path sessionsRoot;
  private final Path log;

  private ServerProcess(
      Process process,
      String address,
      int port,
      int managementPort,
      String token,
      Path sessionsRoot,
      Path log) {
    this.process = process;
    this.address = address;
    this.port = port;
    this.managementPort = managementPort;
    this.token = token;
    this.sessionsRoot = sessionsRoot;
    this.log = log;
  }

  /** The settings every test server runs with, short enough for tests. */
  public static Map<String, String> testSettings() {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("procgate.exec.default-timeout", "20s");
    settings.put("procgate.exec.max-timeout", "120s");
    settings.put("procgate.exec.kill-grace", "1s");
    settings.put("procgate.spawn.output-buffer", "4M");
    settings.put("procgate.spawn.keep-alive", "500ms");
    settings.put("procgate.spawn.stdin-wait", "2s");
    settings.put("procgate.files.watch-keep-alive", "500ms");
    String sdk = System.getProperty("procgate.sdk.dir");
    if (sdk != null) {
      // Where the tests' npm install puts playwright-core, for playwright/execute.
      settings.put("procgate.playwright.modules", Path.of(sdk, "node_modules").toString());
    }
    return settings;
  }

  /** Starts a server with {@code settings} as system properties and waits until it is ready. */
  public static ServerProcess start(Map<String, String> settings) throws Exception {
    return start(settings, List.of());
  }

  /** Starts a server with JVM options, such as a heap size, too. */
  public static ServerProcess start(Map<String, String> settings, List<String> jvmOptions)
      throws Exception {
    return start(CURRENT_JAVA, settings, jvmOptions);
  }

  /** Starts a server on the Java runtime {@code java}, such as another version than this one's. */
  public static ServerProcess start(
      Path java, Map<String, String> settings, List<String> jvmOptions) throws Exception {
    return startWithToken(java, settings, jvmOptions, Map.of(), newToken());
  }

  /** Starts a server with {@code environment} added to its environment, such as a locale. */
  public static ServerProcess startInEnvironment(
      Map<String, String> settings, Map<String, String> environment) throws Exception {
    return startWithToken(CURRENT_JAVA, settings, List.of(), environment, newToken());
  }

  /** Starts a server whose API key is {@code token}, as the replicas that share one are. */
  public static ServerProcess startWithKey(Map<String, String> settings, String token)
      throws Exception {
    return startWithToken(CURRENT_JAVA, settings, List.of(), Map.of(), token);
  }

  private static ServerProcess startWithToken(
      Path java,
      Map<String, String> settings,
      List<String> jvmOptions,
      Map<String, String> environment,
      String token)
      throws Exception {
    Map<String, String> all = new HashMap<>(environment);
    all.put("KERNEL_API_KEY", token);
    ServerProcess server =
        launch(java, null, LOOPBACK, freePort(), settings, jvmOptions, token, all);
    server.awaitReady();
    return server;
  }

  /**
   * Starts a node as a pod's container runs it: listening on {@code address}:{@code port} alone,
   * with the pod's {@code environment}, which holds its API key; waits until it is ready.
   */
  public static ServerProcess startNode(
      String address,
      int port,
      Map<String, String> settings,
      List<String> jvmOptions,
      Map<String, String> environment)
      throws Exception {
    Map<String, String> all = new LinkedHashMap<>(settings);
    all.put("quarkus.http.host", address);
    ServerProcess server =
        launch(
            CURRENT_JAVA,
            null,
            address,
            port,
            all,
            jvmOptions,
            environment.get("KERNEL_API_KEY"),
            environment);
    server.awaitReady();
    return server;
  }

  /** Starts a server with {@code settings} as system properties and returns at once. */
  public static ServerProcess startWithoutWaiting(Map<String, String> settings) throws Exception {
    String token = newToken();
    return launch(
        CURRENT_JAVA,
        null,
        LOOPBACK,
        freePort(),
        settings,
        List.of(),
        token,
        Map.of("KERNEL_API_KEY", token));
  }

  /**
   * Starts a server in {@code workingDir}, where it reads {@code config/application.properties},
   * with no token in its environment: the caller put {@code token} in that file.
   */
  public static ServerProcess startIn(Path workingDir, Map<String, String> settings, String token)
      throws Exception {
    ServerProcess server =
        launch(
            CURRENT_JAVA, workingDir, LOOPBACK, freePort(), settings, List.of(), token, Map.of());
    server.awaitReady();
    return server;
  }

  private static ServerProcess launch(
      Path java,
      Path workingDir,
      String address,
      int port,
      Map<String, String> settings,
      List<String> jvmOptions,
      String token,
      Map<String, String> environment)
      throws Exception {
    String jar = System.getProperty("procgate.server.jar");
    if (jar == null || !Files.exists(Path.of(jar))) {
      throw new IllegalStateException("no packaged server at " + jar + "; run ./mvnw verify");
    }
    int managementPort = freePort();
    Path sessionsRoot = Files.createTempDirectory("pg");
    Path log = Files.createTempFile("procgate-it-server", ".log");

    Path app = Path.of(jar).toAbsolutePath();
    List<String> command = new ArrayList<>();
    command.add(java.toString());
    // As docs/operations.md starts it: from its directory, with the class data archive built beside
    // it,
    // which the JVM takes only with the very class path it was recorded with, and from the Java
    // that built it.
    Path archive = app.resolveSibling("app-cds.jsa");
    if (workingDir == null && java.equals(CURRENT_JAVA) && Files.exists(archive)) {
      command.add("-XX:SharedArchiveFile=" + archive.getFileName());
    }
    command.addAll(jvmOptions);
    command.add("-Dquarkus.http.port=" + port);
    command.add("-Dprocgate.management.port=" + managementPort);
    command.add("-Dprocgate.sessions.root=" + sessionsRoot);
    settings.forEach((key, value) -> command.add("-D" + key + "=" + value));
    command.add("-jar");
    command.add(workingDir == null ? app.getFileName().toString() : app.toString());
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.directory((workingDir == null ? app.getParent() : workingDir).toFile());
    builder.redirectOutput(log.toFile());
    builder.environment().remove("KERNEL_API_KEY");
    builder.environment().putAll(environment);
    return new ServerProcess(
        builder.start(), address, port, managementPort, token, sessionsRoot, log);
  }

  /**
   * A server some other way started as {@code process} (a container image's entrypoint, say),
   * answering on loopback at {@code port} with {@code token}, its output in {@code log}; waits
   * until it is ready.
   */
  public static ServerProcess adopt(
      Process process, int port, int managementPort, String token, Path sessionsRoot, Path log)
      throws Exception {
    ServerProcess server =
        new ServerProcess(process, LOOPBACK, port, managementPort, token, sessionsRoot, log);
    server.awaitReady();
    return server;
  }

  public static String newToken() {
    return "it-" + UUID.randomUUID();
  }

  /** A port nothing listens on now; two calls may, rarely, give the same one. */
  public static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private void awaitReady() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    long deadline = System.nanoTime() + START_LIMIT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("the server exited at start:\n" + log());
      }
      try {
        HttpResponse<Void> response =
            http.send(
                HttpRequest.newBuilder(managementUri().resolve("/q/health/ready")).build(),
                HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // Not listening yet.
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException("the server did not become ready:\n" + log());
  }

  public URI baseUri() {
    return URI.create("http://" + address + ":" + port);
  }

  /** Health and metrics. */
  public URI managementUri() {
    return URI.create("http://" + LOOPBACK + ":" + managementPort);
  }

  public String token() {
    return token;
  }

  public Path sessionsRoot() {
    return sessionsRoot;
  }

  public long pid() {
    return process.pid();
  }

  public Process process() {
    return process;
  }

  /** A generated client for this server, with its bearer token. */
  public ApiClient client() {
    return ProcgateClient.create(baseUri(), token).setReadTimeout(Duration.ofSeconds(180));
  }

  public BrowsersApi browsers() {
    return new BrowsersApi(client());
  }

  public BrowserProcessesApi processes() {
    return new BrowserProcessesApi(client());
  }

  public String log() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  /** Stops the server with SIGTERM, as a service manager would. */
  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
