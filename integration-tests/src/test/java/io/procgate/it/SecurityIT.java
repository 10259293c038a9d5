package io.procgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.procgate.client.model.Browser;
import io.procgate.client.model.BrowserCreateRequest;
import io.procgate.client.model.ProcessExecRequest;
import io.procgate.client.model.ProcessExecResult;
import io.procgate.testing.ServerProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The token guards everything but health, stays secret, and other users cannot get at it. */
@ExtendWith(SharedServer.class)
@Timeout(120)
class SecurityIT {
  private static final Set<String> METHODS = Set.of("get", "post", "put", "patch", "delete");

  private final ServerProcess server;
  private final HttpClient http = HttpClient.newHttpClient();

  SecurityIT(ServerProcess server) {
    this.server = server;
  }

  private HttpResponse<String> send(String method, String path, String authorization)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(server.baseUri() + path))
            .method(method, HttpRequest.BodyPublishers.ofString("{}"))
            .header("Content-Type", "application/json");
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void noEndpointButTheApiDocumentAnswersWithoutTheToken() throws Exception {
    JsonNode spec =
        new ObjectMapper(new YAMLFactory())
            .readTree(Path.of(System.getProperty("procgate.spec")).toFile());
    List<String[]> calls = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> paths = spec.path("paths").fields();
        paths.hasNext(); ) {
      Map.Entry<String, JsonNode> path = paths.next();
      path.getValue()
          .fieldNames()
          .forEachRemaining(
              method -> {
                if (METHODS.contains(method)) {
                  calls.add(
                      new String[] {
                        method.toUpperCase(), path.getKey().replaceAll("\\{[^}]+}", "x")
                      });
                }
              });
    }
    for (String extra :
        List.of(
            "/",
            "/q/dev",
            "/q/openapi",
            "/q/metrics",
            "/q/health",
            "/q/health/ready",
            "/webjars/swagger-ui/",
            "/favicon.ico",
            "/browsers/x/process/x/stdout/stream")) {
      calls.add(new String[] {"GET", extra});
    }
    assertThat(calls).hasSizeGreaterThanOrEqualTo(12);

    for (String[] call : calls) {
      for (String authorization : new String[] {null, "Bearer wrong-" + server.token()}) {
        HttpResponse<String> response = send(call[0], call[1], authorization);
        assertThat(response.statusCode()).as(call[0] + " " + call[1]).isEqualTo(401);
        assertThat(response.body())
            .contains("\"code\":\"unauthorized\"")
            .doesNotContain(server.token());
      }
    }
    for (String docs : List.of("/openapi.yaml", "/docs/")) {
      assertThat(send("GET", docs, null).statusCode()).as(docs).isEqualTo(200);
    }
  }

  @Test
  void aSessionsOwnTokenAdmitsTheCallsBelowItAtItsBaseUrlAndNothingElse() throws Exception {
    Browser mine = server.browsers().createBrowser(new BrowserCreateRequest());
    Browser other = server.browsers().createBrowser(new BrowserCreateRequest());
    try {
      assertThat(mine.getCdpWsUrl()).as("the shared server runs browsers").isNotEmpty();
      String jwt = URI.create(mine.getCdpWsUrl()).getQuery().substring("jwt=".length());
      String otherJwt = URI.create(other.getCdpWsUrl()).getQuery().substring("jwt=".length());
      String base = URI.create(mine.getBaseUrl()).getPath();
      assertThat(base).isEqualTo("/browsers/" + mine.getSessionId());
      String exec = "{\"command\":\"echo\",\"args\":[\"routed\"]}";

      // As Kernel's SDKs send a call they route to base_url: the token, no Authorization.
      HttpResponse<String> routed = post(base + "/process/exec?jwt=" + jwt, exec);
      assertThat(routed.statusCode()).isEqualTo(200);
      assertThat(routed.body()).contains(Base64.getEncoder().encodeToString("routed\n".getBytes()));

      assertThat(post(base + "/process/exec?jwt=" + otherJwt, exec).statusCode()).isEqualTo(401);
      assertThat(post(base + "/process/exec?jwt=" + jwt + "x", exec).statusCode()).isEqualTo(401);
      // Not the session itself, nor the list of sessions.
      assertThat(send("DELETE", base + "?jwt=" + jwt, null).statusCode()).isEqualTo(401);
      assertThat(send("GET", "/browsers?jwt=" + jwt, null).statusCode()).isEqualTo(401);
      assertThat(server.browsers().getBrowser(mine.getSessionId()).getSessionId())
          .isEqualTo(mine.getSessionId());
    } finally {
      server.browsers().deleteBrowser(mine.getSessionId());
      server.browsers().deleteBrowser(other.getSessionId());
    }
  }

  private HttpResponse<String> post(String path, String body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(server.baseUri() + path))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .header("Content-Type", "application/json")
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theTokenNeverAppearsInTheServersLog() throws Exception {
    send("GET", "/browsers", "Bearer " + server.token() + "-and-more");
    send("GET", "/browsers", "Bearer " + server.token());
    send("POST", "/browsers/x/process/exec", "Bearer " + server.token());

    assertThat(server.log()).isNotBlank().doesNotContain(server.token());
  }

  @Test
  void anAsUserChildCannotReadTheServersEnvironmentNorListTheSessions() throws Exception {
    TestAccount.require();
    Browser session = server.browsers().createBrowser(new BrowserCreateRequest());
    try {
      ProcessExecResult result =
          server
              .processes()
              .processExec(
                  session.getSessionId(),
                  new ProcessExecRequest()
                      .command(
                          "cat /proc/"
                              + server.pid()
                              + "/environ; echo \"environ=$?\";"
                              + " ls "
                              + server.sessionsRoot()
                              + "; echo \"list=$?\";"
                              + " tr '\\0' ' ' < /proc/"
                              + server.pid()
                              + "/cmdline")
                      .asUser(TestAccount.NAME));

      String out =
          new String(Base64.getDecoder().decode(result.getStdoutB64()), StandardCharsets.UTF_8);
      String err =
          new String(Base64.getDecoder().decode(result.getStderrB64()), StandardCharsets.UTF_8);
      assertThat(out).contains("environ=1", "list=2").doesNotContain(server.token());
      assertThat(err).contains("Permission denied").doesNotContain(server.token());
    } finally {
      server.browsers().deleteBrowser(session.getSessionId());
    }
  }

  @Test
  void aTokenInAPrivateConfigFileIsUnreadableToAsUserChildren() throws Exception {
    TestAccount.require();
    Path home = Files.createTempDirectory("procgate-config-home");
    Path config = Files.createDirectories(home.resolve("config")).resolve("application.properties");
    String token = "file-token-" + System.nanoTime();
    Files.writeString(config, "procgate.api-key=" + token + "\n");
    Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-------"));
    try (ServerProcess own = ServerProcess.startIn(home, ServerProcess.testSettings(), token)) {
      String session = own.browsers().createBrowser(new BrowserCreateRequest()).getSessionId();
      ProcessExecResult result =
          own.processes()
              .processExec(
                  session,
                  new ProcessExecRequest()
                      .command("cat " + config + "; echo \"config=$?\"; env")
                      .asUser(TestAccount.NAME));

      String out =
          new String(Base64.getDecoder().decode(result.getStdoutB64()), StandardCharsets.UTF_8);
      assertThat(out).contains("config=1").doesNotContain(token);
      assertThat(Files.readString(Path.of("/proc/" + own.pid() + "/cmdline")))
          .doesNotContain(token);
    }
  }

  @Test
  void sessionDirectoriesFollowTheDocumentedPermissionModel() throws Exception {
    TestAccount.require();
    Browser session = server.browsers().createBrowser(new BrowserCreateRequest());
    Path dir = Path.of(session.getWorkDir());
    Files.writeString(dir.resolve("servers-file"), "owned by the server's user");
    try {
      ProcessExecResult own =
          server
              .processes()
              .processExec(
                  session.getSessionId(),
                  new ProcessExecRequest()
                      .command(
                          "echo mine > users-file && echo created;"
                              + " rm -f servers-file || echo cannot-remove;"
                              + " mv servers-file stolen || echo cannot-rename;"
                              + " cat servers-file"));
      ProcessExecResult other =
          server
              .processes()
              .processExec(
                  session.getSessionId(),
                  new ProcessExecRequest()
                      .command("ls " + dir + " || echo cannot-list; touch x || echo cannot-create")
                      .asUser(TestAccount.NAME));

      assertThat(new String(Base64.getDecoder().decode(own.getStdoutB64()), StandardCharsets.UTF_8))
          .contains("created", "cannot-remove", "cannot-rename", "owned by the server's user");
      assertThat(Files.getAttribute(dir.resolve("users-file"), "unix:uid"))
          .isNotEqualTo(Files.getAttribute(dir, "unix:uid"));
      assertThat(dir.resolve("servers-file")).exists();
      // Another account of the host may not even look in.
      assertThat(
              new String(Base64.getDecoder().decode(other.getStdoutB64()), StandardCharsets.UTF_8))
          .contains("cannot-list", "cannot-create");
    } finally {
      server.browsers().deleteBrowser(session.getSessionId());
    }
    assertThat(dir).doesNotExist();
  }
}
