import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The build's training runs for the start archives: starts the packaged server, does what users do
 * (sessions with their browsers, CDP calls through the relay, execs, spawns, files, health,
 * metrics), and stops it with SIGTERM, at which the JVM
 * writes what it learnt. Once on the Java running the build with -XX:ArchiveClassesAtExit, for
 * lib/app-cds.jsa, the class data archive of every class a start and the first requests load (the
 * archive Quarkus makes holds only those its start loads before the runtime's initialisation); once
 * on a Java 25 or newer with -XX:AOTCacheOutput, for lib/app.aot. It stamps each archive with the
 * runtime that made it, for bin/procgate. Without a Java 25 it says so and makes no AOT cache. Run
 * by the server module's build as a single-file program:
 * java AotTraining.java <quarkus-app directory> <path of a Java 25, may be missing>
 */
public class AotTraining {
  // Loading a class takes one call; compiling and profiling it, for the AOT cache, many.
  private static final int EXECS_FOR_CLASSES = 200;
  private static final int EXECS_FOR_PROFILES = 3000;
  private static final Pattern SESSION_ID = Pattern.compile("\"session_id\":\"([^\"]+)\"");
  private static final Pattern PROCESS_ID = Pattern.compile("\"process_id\":\"([^\"]+)\"");
  private static final Pattern CDP_WS_URL = Pattern.compile("\"cdp_ws_url\":\"([^\"]+)\"");
  private static final int CDP_CALLS = 200;

  public static void main(String[] args) throws Exception {
    Path app = Path.of(args[0]).toAbsolutePath();
    Path own = Path.of(System.getProperty("java.home"), "bin", "java");
    Path archive = app.resolve("app-cds.jsa");
    Files.deleteIfExists(archive);
    Files.deleteIfExists(app.resolve("app-cds.jsa.runtime"));
    // A JDK without its own base archive cannot make one on top: the server then starts without.
    if (train(app, own, "-XX:ArchiveClassesAtExit=app-cds.jsa", EXECS_FOR_CLASSES, archive)) {
      Files.writeString(app.resolve("app-cds.jsa.runtime"), System.getProperty("java.runtime.version"));
    }

    Path java = Path.of(args.length > 1 ? args[1] : "");
    String runtime = java.toString().isEmpty() ? "" : runtimeOf(java);
    if (runtime.isEmpty() || Runtime.Version.parse(runtime).feature() < 25) {
      System.out.println("[procgate] no Java 25 or newer at '" + java + "': no AOT cache; set procgate.aot.java to make one");
      return;
    }
    Path cache = app.resolve("app.aot");
    Files.deleteIfExists(cache);
    Files.deleteIfExists(app.resolve("app.aot.runtime"));
    if (!train(app, java, "-XX:AOTCacheOutput=app.aot", EXECS_FOR_PROFILES, cache)) {
      throw new IllegalStateException("the training run on " + java + " left no AOT cache");
    }
    Files.writeString(app.resolve("app.aot.runtime"), runtime);
  }

  /**
   * One training run of the server on {@code java} with {@code option}, which is to write {@code
   * output} at exit; false when it did not, with the server's log printed.
   */
  private static boolean train(Path app, Path java, String option, int execs, Path output) throws Exception {
    int port = freePort();
    int management = freePort();
    String token = UUID.randomUUID().toString();
    // Short: in a sessions root longer than Chromium's sockets allow (31 characters), sessions get
    // no browser, and nothing of the browser's path would be trained.
    Path sessions = Files.createTempDirectory(Path.of("/tmp"), "pgt");
    Path log = Files.createTempFile("procgate-training", ".log");
    ProcessBuilder builder =
        new ProcessBuilder(
                java.toString(),
                option,
                "-Dquarkus.http.port=" + port,
                "-Dprocgate.management.port=" + management,
                "-Dprocgate.sessions.root=" + sessions,
                "-jar",
                "quarkus-run.jar")
            .directory(app.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().put("KERNEL_API_KEY", token);
    long started = System.nanoTime();
    Process server = builder.start();
    try {
      new Workload(URI.create("http://127.0.0.1:" + port), URI.create("http://127.0.0.1:" + management), token, server, execs).run();
    } catch (Exception e) {
      server.destroyForcibly();
      throw new IllegalStateException("the training run failed; its log: " + log + "\n" + Files.readString(log), e);
    }
    server.destroy();
    if (!server.waitFor(180, TimeUnit.SECONDS)) {
      server.destroyForcibly();
      throw new IllegalStateException("the training server did not stop; its log: " + log);
    }
    if (!Files.exists(output)) {
      System.out.println("[procgate] the training run on " + java + " left no " + output.getFileName() + "; its log:\n" + Files.readString(log));
      return false;
    }
    System.out.printf(
        "[procgate] %s trained on %s in %.1f s (%d MiB)%n",
        output, java, (System.nanoTime() - started) / 1e9, Files.size(output) >> 20);
    return true;
  }

  /** The exact version of the runtime at {@code java}, from its release file. */
  private static String runtimeOf(Path java) throws IOException {
    if (!Files.isExecutable(java)) {
      return "";
    }
    Path release = java.toRealPath().getParent().getParent().resolve("release");
    if (!Files.exists(release)) {
      return "";
    }
    Matcher version = Pattern.compile("(?m)^JAVA_RUNTIME_VERSION=\"(.*)\"$").matcher(Files.readString(release));
    return version.find() ? version.group(1) : "";
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private record Workload(URI api, URI management, String token, Process server, int execs) {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    void run() throws Exception {
      awaitReady();
      String created = send("POST", "/browsers", "{}");
      String session = match(SESSION_ID, created);
      Matcher cdp = CDP_WS_URL.matcher(created);
      if (cdp.find()) {
        relayCdp(URI.create(cdp.group(1)));
      } else {
        System.out.println("[procgate] the training session has no browser: the browser's path is not trained");
      }
      for (int i = 0; i < execs; i++) {
        send("POST", "/browsers/" + session + "/process/exec", "{\"command\":\"/bin/echo\",\"args\":[\"hello\"]}");
      }
      send("POST", "/browsers/" + session + "/process/exec", "{\"command\":\"sh\",\"args\":[\"-c\",\"echo $X >&2; exit 3\"],\"env\":{\"X\":\"1\"},\"cwd\":\"/tmp\"}");
      for (int i = 0; i < 50; i++) {
        String process = match(PROCESS_ID, send("POST", "/browsers/" + session + "/process/spawn", "{\"command\":\"/bin/cat\"}"));
        String base = "/browsers/" + session + "/process/" + process;
        send("POST", base + "/stdin", "{\"data_b64\":\"aGVsbG8K\",\"close\":true}");
        send("GET", base + "/status", null);
        send("GET", base + "/stdout/stream", null);
      }
      String file = "/tmp/procgate-training-" + UUID.randomUUID();
      for (int i = 0; i < 50; i++) {
        send("PUT", "/browsers/" + session + "/fs/write_file?path=" + file, "training bytes");
        send("GET", "/browsers/" + session + "/fs/read_file?path=" + file, null);
        send("GET", "/browsers/" + session + "/fs/file_info?path=" + file, null);
        send("GET", "/browsers/" + session + "/fs/list_files?path=/tmp", null);
      }
      send("PUT", "/browsers/" + session + "/fs/delete_file", "{\"path\":\"" + file + "\"}");
      for (int i = 0; i < 20; i++) {
        send("GET", "/browsers", null);
        send("GET", "/browsers/" + session, null);
        HTTP.send(HttpRequest.newBuilder(management.resolve("/q/metrics")).build(), BodyHandlers.discarding());
      }
      send("DELETE", "/browsers/" + session, null);
    }

    /** CDP calls through the server's relay, as Playwright's first ones. */
    private static void relayCdp(URI url) throws Exception {
      BlockingQueue<String> answers = new LinkedBlockingQueue<>();
      WebSocket socket =
          HTTP.newWebSocketBuilder()
              .buildAsync(
                  url,
                  new WebSocket.Listener() {
                    private final StringBuilder text = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                      text.append(data);
                      if (last) {
                        answers.add(text.toString());
                        text.setLength(0);
                      }
                      ws.request(1);
                      return null;
                    }
                  })
              .get(30, TimeUnit.SECONDS);
      for (int id = 1; id <= CDP_CALLS; id++) {
        socket.sendText("{\"id\":" + id + ",\"method\":\"Browser.getVersion\"}", true).get(30, TimeUnit.SECONDS);
        String answer = answers.poll(30, TimeUnit.SECONDS);
        if (answer == null || !answer.contains("\"id\":" + id + ",")) {
          throw new IllegalStateException("no CDP answer to call " + id + ": " + answer);
        }
      }
      socket.sendClose(WebSocket.NORMAL_CLOSURE, "").get(30, TimeUnit.SECONDS);
    }

    private void awaitReady() throws Exception {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (System.nanoTime() < deadline) {
        if (!server.isAlive()) {
          throw new IllegalStateException("the server exited at start");
        }
        try {
          if (HTTP.send(HttpRequest.newBuilder(management.resolve("/q/health/ready")).build(), BodyHandlers.discarding()).statusCode() == 200) {
            return;
          }
        } catch (IOException notYet) {
          // Not listening yet.
        }
        Thread.sleep(50);
      }
      throw new IllegalStateException("the server did not become ready");
    }

    private String send(String method, String path, String body) throws Exception {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(api.resolve(path))
              .header("Authorization", "Bearer " + token)
              .method(method, body == null ? BodyPublishers.noBody() : BodyPublishers.ofString(body));
      if (body != null) {
        request.header("Content-Type", path.contains("/write_file") ? "application/octet-stream" : "application/json");
      }
      var response = HTTP.send(request.build(), BodyHandlers.ofString());
      if (response.statusCode() >= 300) {
        throw new IllegalStateException(method + " " + path + ": " + response.statusCode() + " " + response.body());
      }
      return response.body();
    }

    private static String match(Pattern pattern, String body) {
      Matcher matcher = pattern.matcher(body);
      if (!matcher.find()) {
        throw new IllegalStateException("unexpected answer: " + body);
      }
      return matcher.group(1);
    }
  }
}
