package io.procgate.it;

import static io.procgate.testing.Refusals.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.procgate.client.api.BrowserFilesystemApi;
import io.procgate.client.model.BrowserCreateRequest;
import io.procgate.client.model.FsCreateDirectoryRequest;
import io.procgate.client.model.FsPathRequest;
import io.procgate.client.model.ProcessExecRequest;
import io.procgate.client.model.ProcessExecResult;
import io.procgate.client.model.ProcessSpawnRequest;
import io.procgate.client.model.ProcessSpawnResult;
import io.procgate.client.model.ProcessStatus;
import io.procgate.client.stream.FileTransfers;
import io.procgate.testing.ServerProcess;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two sessions on one server, tried from inside session A with its own processes and its own file
 * rights: nothing of session B is within reach.
 */
@ExtendWith(SharedServer.class)
@Timeout(120)
class IsolationIT {
  private final ServerProcess server;
  private final BrowserFilesystemApi files;
  private String a;
  private String b;
  private Path bDir;

  IsolationIT(ServerProcess server) {
    this.server = server;
    this.files = new BrowserFilesystemApi(server.client());
  }

  @BeforeEach
  void twoSessions() throws Exception {
    a = server.browsers().createBrowser(new BrowserCreateRequest()).getSessionId();
    b = server.browsers().createBrowser(new BrowserCreateRequest()).getSessionId();
    bDir = server.sessionsRoot().resolve(b);
  }

  @AfterEach
  void deleteThem() throws Exception {
    server.browsers().deleteBrowser(a);
    server.browsers().deleteBrowser(b);
  }

  private record Run(int exit, String out, String err) {}

  private Run run(String session, String command) throws Exception {
    return run(session, new ProcessExecRequest().command(command));
  }

  private Run run(String session, ProcessExecRequest request) throws Exception {
    ProcessExecResult result = server.processes().processExec(session, request);
    return new Run(
        result.getExitCode(),
        new String(Base64.getDecoder().decode(result.getStdoutB64()), StandardCharsets.UTF_8),
        new String(Base64.getDecoder().decode(result.getStderrB64()), StandardCharsets.UTF_8));
  }

  private int uid(String session) throws Exception {
    return Integer.parseInt(run(session, "id -u").out().strip());
  }

  @Test
  void eachSessionRunsAsAUidOfItsOwnWhichItsDirectoryAndBrowserBelongTo() throws Exception {
    int uidA = uid(a);
    int uidB = uid(b);
    assertThat(uidA).isNotEqualTo(uidB);
    for (int uid : new int[] {uidA, uidB}) {
      // The server's default range; no account of the system has such a uid.
      assertThat(uid).isBetween(600000, 609999);
      assertThat(run(a, "getent passwd " + uid).exit()).isEqualTo(2);
    }
    assertThat(run(a, "id -g; id -G; echo $HOME").out())
        .isEqualTo(uidA + "\n" + uidA + "\n" + server.sessionsRoot().resolve(a) + "\n");
    assertThat(Files.getAttribute(bDir, "unix:gid", LinkOption.NOFOLLOW_LINKS)).isEqualTo(uidB);
    assertThat(Files.getAttribute(bDir, "unix:mode", LinkOption.NOFOLLOW_LINKS)).isEqualTo(0041770);
    // Its browser too, in Chromium's own sandbox now that it is not root.
    assertThat(run(b, "ps -o args= -u " + uidB).out())
        .contains("chromium")
        .doesNotContain("--no-sandbox");
    // as_root and as_user work as before.
    assertThat(run(a, new ProcessExecRequest().command("id -u").asRoot(true)).out())
        .isEqualTo("0\n");
    assertThat(run(a, new ProcessExecRequest().command("id -un").asUser("nobody")).out())
        .isEqualTo("nobody\n");
  }

  @Test
  void aSessionsProcessesCanNeitherOpenAnothersFilesNorReadOrSignalItsProcesses() throws Exception {
    String secret = "b-secret-" + UUID.randomUUID();
    Path bFile = bDir.resolve("secret.txt");
    FileTransfers.writeFile(
        server.client(), b, bFile.toString(), BodyPublishers.ofString(secret), null);
    ProcessSpawnResult victim =
        server
            .processes()
            .processSpawn(
                b,
                new ProcessSpawnRequest()
                    .command("sleep")
                    .args(java.util.List.of("300"))
                    .env(Map.of("SECRET", secret)));
    int pid = victim.getPid();
    int chromium = Integer.parseInt(run(b, "pgrep -o -u " + uid(b) + " chromium").out().strip());

    Run reads = run(a, "cat " + bFile + "; ls " + bDir + "; touch " + bDir + "/planted");
    assertThat(reads.out()).doesNotContain(secret);
    assertThat(reads.err())
        .contains("cat: " + bFile + ": Permission denied")
        .contains("ls: cannot open directory '" + bDir + "': Permission denied")
        .contains("touch: cannot touch '" + bDir + "/planted': Permission denied");
    Run environ = run(a, "cat /proc/" + pid + "/environ /proc/" + chromium + "/environ");
    assertThat(environ.out()).doesNotContain(secret);
    assertThat(environ.err()).contains("/proc/" + pid + "/environ: Permission denied");
    for (String signal : new String[] {"-0", "-TERM", "-KILL", "-STOP"}) {
      Run kill = run(a, "kill " + signal + " " + pid + " " + chromium);
      assertThat(kill.exit()).as(signal).isNotZero();
      assertThat(kill.err()).as(signal).contains("Operation not permitted");
    }

    // Nor through the files API, which has A's rights.
    assertRefused(
        () -> FileTransfers.readFile(server.client(), a, bFile.toString()),
        403,
        "permission_denied");
    assertRefused(() -> files.fsListFiles(a, bDir.toString()), 403, "permission_denied");
    assertRefused(
        () ->
            FileTransfers.writeFile(
                server.client(),
                a,
                bDir.resolve("planted").toString(),
                BodyPublishers.ofString("x"),
                null),
        403,
        "permission_denied");
    assertRefused(
        () -> files.fsDeleteFile(a, new FsPathRequest().path(bFile.toString())),
        403,
        "permission_denied");
    assertRefused(
        () ->
            files.fsCreateDirectory(
                a, new FsCreateDirectoryRequest().path(bDir.resolve("d").toString())),
        403,
        "permission_denied");

    // B is untouched: its process runs, its file holds what it wrote, and it reads both.
    assertThat(server.processes().processStatus(b, victim.getProcessId().toString()).getState())
        .isEqualTo(ProcessStatus.StateEnum.RUNNING);
    try (InputStream in = FileTransfers.readFile(server.client(), b, bFile.toString())) {
      assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(secret);
    }
    assertThat(run(b, "tr '\\0' '\\n' < /proc/" + pid + "/environ").out())
        .contains("SECRET=" + secret);
    assertThat(Files.exists(bDir.resolve("planted"))).isFalse();
  }

  @Test
  void aSessionsProcessesCannotUseAnothersDisplayNorReadItsCookie() throws Exception {
    String headful =
        server.browsers().createBrowser(new BrowserCreateRequest().headless(false)).getSessionId();
    try {
      Run own = run(headful, "echo $DISPLAY $XAUTHORITY; xdotool getmouselocation");
      assertThat(own.exit()).as(own.err()).isZero();
      String[] display = own.out().lines().findFirst().orElseThrow().split(" ");
      assertThat(own.out()).contains("screen:0");

      // From another session: its namespace has no such socket, and the cookie is not its own.
      Run other =
          run(a, "cat " + display[1] + "; DISPLAY=" + display[0] + " xdotool getmouselocation");
      assertThat(other.exit()).isNotZero();
      assertThat(other.out()).doesNotContain("screen:");
      assertThat(other.err()).contains("Permission denied").contains("Can't open display");
      // Nor, without the cookie, from inside the display's own namespace.
      Run nobody =
          run(
              headful,
              new ProcessExecRequest()
                  .command("DISPLAY=" + display[0] + " xdotool getmouselocation")
                  .env(Map.of("XAUTHORITY", "/nonexistent"))
                  .asUser("nobody"));
      assertThat(nobody.exit()).isNotZero();
      assertThat(nobody.err()).contains("Authorization required").contains("Can't open display");
    } finally {
      server.browsers().deleteBrowser(headful);
    }
  }

  /** The port and browser path a session's Chromium wrote, as its own processes read them. */
  private String[] devTools(String session) throws Exception {
    return run(session, "cat \"$PROCGATE_SESSION_DIR/.browser/profile/DevToolsActivePort\"")
        .out()
        .lines()
        .toArray(String[]::new);
  }

  @Test
  void aSessionsLoopbackIsItsOwnAndNoOtherSessionReachesItsBrowser() throws Exception {
    String[] mine = devTools(a);
    String[] theirs = devTools(b);
    String bAddress =
        run(b, "ip -4 -o addr show dev eth0").out().replaceAll("(?s).* inet ([0-9.]+)/.*", "$1");
    assertThat(bAddress).matches("10\\.231\\.\\d+\\.\\d+");

    // A's processes reach their own browser where it listens, on loopback.
    assertThat(run(a, "curl -s http://127.0.0.1:" + mine[0] + "/json/version").out())
        .contains(mine[1]);
    // B's port on A's loopback is A's, not B's; B's address, from A, refuses.
    Run loopback =
        run(a, "curl -s -S --max-time 10 http://127.0.0.1:" + theirs[0] + "/json/version");
    assertThat(loopback.out()).doesNotContain(theirs[1]);
    Run across =
        run(a, "curl -s -S --max-time 10 http://" + bAddress + ":" + theirs[0] + "/json/version");
    assertThat(across.exit()).as(across.err()).isNotZero();
    assertThat(across.out()).doesNotContain(theirs[1]);
    // What B serves on every address of its network: B reaches it, and the server's user on the
    // host; A does not, nor any other user of the host.
    server
        .processes()
        .processSpawn(
            b,
            new ProcessSpawnRequest()
                .command("node")
                .args(
                    java.util.List.of(
                        "-e",
                        "require('http').createServer((q, r) => r.end('b-serves'))"
                            + ".listen(18999, '0.0.0.0')")));
    String fetch = "curl -s -S --max-time 10 http://" + bAddress + ":18999/";
    assertThat(
            run(b, "for i in $(seq 100); do curl -s 127.0.0.1:18999 && break; sleep 0.1; done")
                .out())
        .isEqualTo("b-serves");
    assertThat(
            HttpClient.newHttpClient()
                .send(
                    HttpRequest.newBuilder(URI.create("http://" + bAddress + ":18999/")).build(),
                    HttpResponse.BodyHandlers.ofString())
                .body())
        .isEqualTo("b-serves");
    Run fromA = run(a, fetch);
    assertThat(fromA.exit()).isNotZero();
    assertThat(fromA.out()).isEmpty();
    Process fromHostUser =
        new ProcessBuilder(
                "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "sh", "-c", fetch)
            .redirectErrorStream(true)
            .start();
    assertThat(new String(fromHostUser.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
        .doesNotContain("b-serves");
    assertThat(fromHostUser.waitFor()).isNotZero();
    // B's own processes reach it on their loopback, as A's do theirs.
    assertThat(run(b, "curl -s http://127.0.0.1:" + theirs[0] + "/json/version").out())
        .contains(theirs[1]);
  }

  @Test
  void aSessionFetchesFromAServerOnTheHostButNotFromTheHostsLoopback() throws Exception {
    HttpServer everywhere = HttpServer.create(new InetSocketAddress("0.0.0.0", 0), 0);
    HttpServer loopback = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    for (HttpServer server : new HttpServer[] {everywhere, loopback}) {
      server.createContext(
          "/",
          exchange -> {
            byte[] page = "from the host".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, page.length);
            exchange.getResponseBody().write(page);
            exchange.close();
          });
      server.start();
    }
    try {
      String gateway =
          run(a, "ip route show default").out().replaceAll("(?s).*default via ([0-9.]+).*", "$1");
      Run fetched =
          run(
              a,
              "curl -s -S --max-time 20 http://"
                  + gateway
                  + ":"
                  + everywhere.getAddress().getPort()
                  + "/");
      assertThat(fetched.out()).as(fetched.err()).isEqualTo("from the host");
      Run refused =
          run(
              a,
              "curl -s -S --max-time 10 http://127.0.0.1:" + loopback.getAddress().getPort() + "/");
      assertThat(refused.exit()).isNotZero();
      assertThat(refused.out()).isEmpty();
    } finally {
      everywhere.stop(0);
      loopback.stop(0);
    }
  }

  @Test
  void theReadinessDataSaysSessionsHaveAccountsAndNetworksOfTheirOwn() throws Exception {
    HttpResponse<String> ready =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(server.managementUri() + "/q/health/ready"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(ready.body())
        .contains("\"users\": \"an account of their own each, a uid from 600000-609999\"")
        .contains("\"network\": \"a namespace of their own each, numbered from 10.231.0.0/16");
  }
}
