package io.procgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.procgate.client.model.Browser;
import io.procgate.client.model.BrowserCreateRequest;
import io.procgate.client.model.ProcessExecRequest;
import io.procgate.client.model.ProcessSpawnRequest;
import io.procgate.testing.ServerProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A corpus of malformed and hostile requests to every endpoint. Each is refused with its documented
 * status and the {@code Error} JSON; afterwards the server is healthy, no rejected request started
 * a process (every command in the corpus would leave a marker file), and no session or file
 * changed.
 */
@ExtendWith(SharedServer.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(60)
class HostileInputIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String S = "{session}";
  private static final String P = "{process}";
  private static final String MARKER_DIR = "/tmp/procgate-hostile-markers";
  private static final String CMD = "\"touch " + MARKER_DIR + "/ran\"";

  private final ServerProcess server;
  private final HttpClient http = HttpClient.newHttpClient();
  private Browser session;
  private String process;
  private Map<String, String> sessionsBefore;
  private List<String> filesBefore;
  private Path markers;

  HostileInputIT(ServerProcess server) {
    this.server = server;
  }

  @BeforeAll
  void prepare() throws Exception {
    markers = Files.createDirectories(Path.of(MARKER_DIR));
    session = server.browsers().createBrowser(new BrowserCreateRequest().name("hostile"));
    Files.writeString(Path.of(session.getWorkDir(), "keep.txt"), "unchanged");
    process =
        server
            .processes()
            .processSpawn(
                session.getSessionId(),
                new ProcessSpawnRequest().command("sleep").args(List.of("300")).allocateTty(false))
            .getProcessId()
            .toString();
    sessionsBefore = sessions();
    filesBefore = files();
  }

  @AfterAll
  void cleanUp() throws Exception {
    server.browsers().deleteBrowser(session.getSessionId());
  }

  private Map<String, String> sessions() throws Exception {
    Map<String, String> all = new TreeMap<>();
    server
        .browsers()
        .listBrowsers(0, 100)
        .forEach(b -> all.put(b.getSessionId(), String.valueOf(b.getName())));
    return all;
  }

  /**
   * The files of every session, but for those its browser keeps changing on its own: their
   * directories are not entered, as Chromium creates and removes files there while they are read.
   */
  private List<String> files() throws IOException {
    Path root = server.sessionsRoot();
    List<String> all = new ArrayList<>();
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) {
            Path relative = root.relativize(dir);
            if (relative.getNameCount() == 2
                && relative.getName(1).toString().matches("\\.browser|\\.tmp")) {
              return FileVisitResult.SKIP_SUBTREE;
            }
            all.add(relative.toString());
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
            all.add(root.relativize(file).toString());
            return FileVisitResult.CONTINUE;
          }
        });
    all.sort(null);
    return all;
  }

  /** One hostile request: what is sent, and the status and code it must get. */
  record Hostile(
      String name,
      String method,
      String path,
      String token,
      String contentType,
      String body,
      int status,
      String code) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static Hostile post(String name, String path, String body, int status, String code) {
    return new Hostile(name, "POST", path, "TOKEN", "application/json", body, status, code);
  }

  private static Hostile exec(String name, String body, int status, String code) {
    return post(name, "/browsers/" + S + "/process/exec", body, status, code);
  }

  static Stream<Arguments> corpus() {
    String exec = "/browsers/" + S + "/process/exec";
    String spawn = "/browsers/" + S + "/process/spawn";
    String stdin = "/browsers/" + S + "/process/" + P + "/stdin";
    String kill = "/browsers/" + S + "/process/" + P + "/kill";
    String resize = "/browsers/" + S + "/process/" + P + "/resize";
    String status = "/browsers/" + S + "/process/" + P + "/status";
    String longString = "x".repeat(200_000);
    List<Hostile> all =
        new ArrayList<>(
            List.of(
                // Broken and truncated JSON.
                exec("empty object, no command", "{}", 400, "validation_failed"),
                exec("truncated object", "{\"command\":", 400, "invalid_json"),
                exec("unterminated string", "{\"command\":\"tou", 400, "invalid_json"),
                exec("trailing comma", "{\"command\":" + CMD + ",}", 400, "invalid_json"),
                exec("single quotes", "{'command':'touch x'}", 400, "invalid_json"),
                exec("trailing garbage", "{\"command\":" + CMD + "} {}", 400, "invalid_json"),
                exec("a bare array", "[" + CMD + "]", 400, "invalid_json"),
                exec("a bare string", CMD, 400, "invalid_json"),
                exec("a bare null", "null", 400, "validation_failed"),
                exec("NUL bytes", "\u0000\u0000\u0000", 400, "invalid_json"),
                exec(
                    "duplicate keys",
                    "{\"command\":\"true\",\"command\":" + CMD + "}",
                    400,
                    "invalid_json"),
                exec(
                    "deep nesting",
                    "{\"command\":" + CMD + ",\"env\":" + "[".repeat(5000) + "]".repeat(5000) + "}",
                    400,
                    "invalid_type"),
                // Wrong types.
                exec("command as a number", "{\"command\":5}", 400, "invalid_type"),
                exec("command as an array", "{\"command\":[" + CMD + "]}", 400, "invalid_type"),
                exec("command as an object", "{\"command\":{\"x\":1}}", 400, "invalid_type"),
                exec(
                    "args as a string",
                    "{\"command\":" + CMD + ",\"args\":\"-f\"}",
                    400,
                    "invalid_type"),
                exec(
                    "args with a number",
                    "{\"command\":" + CMD + ",\"args\":[1]}",
                    400,
                    "invalid_type"),
                exec(
                    "env as an array",
                    "{\"command\":" + CMD + ",\"env\":[\"A=1\"]}",
                    400,
                    "invalid_type"),
                exec(
                    "env value as a number",
                    "{\"command\":" + CMD + ",\"env\":{\"A\":1}}",
                    400,
                    "invalid_type"),
                exec("cwd as a number", "{\"command\":" + CMD + ",\"cwd\":1}", 400, "invalid_type"),
                exec(
                    "as_root as a string",
                    "{\"command\":" + CMD + ",\"as_root\":\"true\"}",
                    400,
                    "invalid_type"),
                exec(
                    "as_root as a number",
                    "{\"command\":" + CMD + ",\"as_root\":1}",
                    400,
                    "invalid_type"),
                exec(
                    "timeout as a string",
                    "{\"command\":" + CMD + ",\"timeout_sec\":\"5\"}",
                    400,
                    "invalid_type"),
                exec(
                    "timeout as a fraction",
                    "{\"command\":" + CMD + ",\"timeout_sec\":1.5}",
                    400,
                    "invalid_type"),
                post(
                    "allocate_tty as a string",
                    spawn,
                    "{\"command\":" + CMD + ",\"allocate_tty\":\"yes\"}",
                    400,
                    "invalid_type"),
                post(
                    "rows as a string",
                    spawn,
                    "{\"command\":" + CMD + ",\"allocate_tty\":true,\"rows\":\"24\"}",
                    400,
                    "invalid_type"),
                post("data_b64 as a number", stdin, "{\"data_b64\":1234}", 400, "invalid_type"),
                post("signal as a number", kill, "{\"signal\":9}", 400, "invalid_type"),
                post(
                    "signal not in the enum",
                    kill,
                    "{\"signal\":\"SIGSEGV\"}",
                    400,
                    "invalid_type"),
                // Unknown fields.
                exec(
                    "unknown field on exec",
                    "{\"command\":" + CMD + ",\"shell\":true}",
                    400,
                    "unknown_field"),
                post(
                    "unknown field on spawn",
                    spawn,
                    "{\"command\":" + CMD + ",\"pty\":true}",
                    400,
                    "unknown_field"),
                post(
                    "unknown field on stdin",
                    stdin,
                    "{\"data_b64\":\"eA==\",\"eof\":true}",
                    400,
                    "unknown_field"),
                post("unknown field on kill", kill, "{\"sig\":\"TERM\"}", 400, "unknown_field"),
                post(
                    "unknown field on resize",
                    resize,
                    "{\"rows\":5,\"cols\":5,\"x\":1}",
                    400,
                    "unknown_field"),
                post(
                    "unknown field on create", "/browsers", "{\"gpu\":true}", 400, "unknown_field"),
                // Nulls where values are required.
                exec("command null", "{\"command\":null}", 400, "validation_failed"),
                exec(
                    "null in args",
                    "{\"command\":" + CMD + ",\"args\":[null]}",
                    400,
                    "invalid_type"),
                exec(
                    "null env value",
                    "{\"command\":" + CMD + ",\"env\":{\"A\":null}}",
                    400,
                    "invalid_type"),
                exec(
                    "as_root null",
                    "{\"command\":" + CMD + ",\"as_root\":null}",
                    400,
                    "invalid_type"),
                post("data_b64 null", stdin, "{\"data_b64\":null}", 400, "validation_failed"),
                post("rows null", resize, "{\"rows\":null,\"cols\":5}", 400, "validation_failed"),
                // Huge and negative numbers.
                exec(
                    "negative timeout",
                    "{\"command\":" + CMD + ",\"timeout_sec\":-1}",
                    400,
                    "invalid_timeout"),
                exec(
                    "timeout above the maximum",
                    "{\"command\":" + CMD + ",\"timeout_sec\":2147483647}",
                    400,
                    "invalid_timeout"),
                exec(
                    "timeout beyond an int",
                    "{\"command\":" + CMD + ",\"timeout_sec\":9999999999999}",
                    400,
                    "invalid_type"),
                exec(
                    "timeout as 1e308",
                    "{\"command\":" + CMD + ",\"timeout_sec\":1e308}",
                    400,
                    "invalid_type"),
                post("rows zero", resize, "{\"rows\":0,\"cols\":5}", 400, "validation_failed"),
                post(
                    "cols too large",
                    resize,
                    "{\"rows\":5,\"cols\":65536}",
                    400,
                    "validation_failed"),
                post(
                    "negative rows on spawn",
                    spawn,
                    "{\"command\":" + CMD + ",\"allocate_tty\":true,\"rows\":-5}",
                    400,
                    "validation_failed"),
                post(
                    "session timeout too small",
                    "/browsers",
                    "{\"timeout_seconds\":1}",
                    400,
                    "validation_failed"),
                post(
                    "session timeout too large",
                    "/browsers",
                    "{\"timeout_seconds\":99999999}",
                    400,
                    "validation_failed"),
                new Hostile(
                    "negative offset",
                    "GET",
                    "/browsers?offset=-1",
                    "TOKEN",
                    null,
                    null,
                    400,
                    "validation_failed"),
                new Hostile(
                    "limit beyond an int",
                    "GET",
                    "/browsers?limit=99999999999",
                    "TOKEN",
                    null,
                    null,
                    400,
                    "invalid_request"),
                // Invalid base64.
                post(
                    "base64 with bad characters",
                    stdin,
                    "{\"data_b64\":\"!!!!\"}",
                    400,
                    "invalid_base64"),
                post(
                    "base64 of a bad length", stdin, "{\"data_b64\":\"a\"}", 400, "invalid_base64"),
                post(
                    "base64 with junk after padding",
                    stdin,
                    "{\"data_b64\":\"aGk=x\"}",
                    400,
                    "invalid_base64"),
                // Enormous bodies.
                exec(
                    "a body over the limit",
                    "{\"command\":\"" + "x".repeat(1_100_000) + "\"}",
                    413,
                    "payload_too_large"),
                new Hostile(
                    "an enormous header",
                    "GET",
                    "/browsers",
                    "TOKEN:HUGE-HEADER",
                    null,
                    null,
                    431,
                    "headers_too_large"),
                new Hostile(
                    "an enormous URI",
                    "GET",
                    "/browsers?x=" + "u".repeat(20_000),
                    "TOKEN",
                    null,
                    null,
                    414,
                    "uri_too_long"),
                // Very long and NUL-containing strings.
                exec(
                    "a 200 KB argument",
                    "{\"command\":\"echo\",\"args\":[\"" + longString + "\"]}",
                    400,
                    "invalid_request"),
                exec(
                    "NUL in the command",
                    "{\"command\":\"touch\\u0000x\"}",
                    400,
                    "invalid_request"),
                exec(
                    "NUL in an argument",
                    "{\"command\":" + CMD + ",\"args\":[\"a\\u0000b\"]}",
                    400,
                    "invalid_request"),
                exec(
                    "NUL in an env name",
                    "{\"command\":" + CMD + ",\"env\":{\"A\\u0000B\":\"1\"}}",
                    400,
                    "invalid_request"),
                exec(
                    "NUL in an env value",
                    "{\"command\":" + CMD + ",\"env\":{\"A\":\"1\\u0000\"}}",
                    400,
                    "invalid_request"),
                exec(
                    "= in an env name",
                    "{\"command\":" + CMD + ",\"env\":{\"A=B\":\"1\"}}",
                    400,
                    "invalid_request"),
                exec(
                    "NUL in cwd",
                    "{\"command\":" + CMD + ",\"cwd\":\"/tmp\\u0000/x\"}",
                    400,
                    "invalid_cwd"),
                exec(
                    "a 5000-character cwd",
                    "{\"command\":" + CMD + ",\"cwd\":\"/" + "d".repeat(5000) + "\"}",
                    400,
                    "invalid_cwd"),
                exec(
                    "cwd with traversal to a file",
                    "{\"command\":" + CMD + ",\"cwd\":\"/tmp/../etc/passwd\"}",
                    400,
                    "invalid_cwd"),
                exec(
                    "as_user with NUL",
                    "{\"command\":" + CMD + ",\"as_user\":\"root\\u0000\"}",
                    400,
                    "unknown_user"),
                exec(
                    "as_user far too long",
                    "{\"command\":" + CMD + ",\"as_user\":\"" + "u".repeat(5000) + "\"}",
                    400,
                    "unknown_user"),
                // Ids of the wrong form, and traversal in ids and names.
                post(
                    "unknown session",
                    "/browsers/nosuchsession/process/exec",
                    "{\"command\":" + CMD + "}",
                    404,
                    "session_not_found"),
                post(
                    "traversal in the session id",
                    "/browsers/..%2F..%2Fetc/process/exec",
                    "{\"command\":" + CMD + "}",
                    404,
                    "session_not_found"),
                post(
                    "a 2000-character session id",
                    "/browsers/" + "s".repeat(2000) + "/process/exec",
                    "{\"command\":" + CMD + "}",
                    404,
                    "session_not_found"),
                new Hostile(
                    "process id not a uuid",
                    "GET",
                    "/browsers/" + S + "/process/not-a-uuid/status",
                    "TOKEN",
                    null,
                    null,
                    404,
                    "process_not_found"),
                new Hostile(
                    "traversal in the process id",
                    "GET",
                    "/browsers/" + S + "/process/..%2F..%2Fx/status",
                    "TOKEN",
                    null,
                    null,
                    404,
                    "process_not_found"),
                new Hostile(
                    "traversal in a session name",
                    "GET",
                    "/browsers/..%2F..%2Fetc%2Fpasswd",
                    "TOKEN",
                    null,
                    null,
                    404,
                    "session_not_found"),
                post(
                    "a name with traversal",
                    "/browsers",
                    "{\"name\":\"../../etc\"}",
                    400,
                    "validation_failed"),
                post(
                    "a name with a NUL",
                    "/browsers",
                    "{\"name\":\"a\\u0000b\"}",
                    400,
                    "validation_failed"),
                post(
                    "a name too long",
                    "/browsers",
                    "{\"name\":\"" + "n".repeat(65) + "\"}",
                    400,
                    "validation_failed"),
                post(
                    "a name already taken",
                    "/browsers",
                    "{\"name\":\"hostile\"}",
                    409,
                    "name_taken"),
                // Wrong methods and content types.
                new Hostile(
                    "GET on exec", "GET", exec, "TOKEN", null, null, 405, "method_not_allowed"),
                new Hostile(
                    "DELETE on the session list",
                    "DELETE",
                    "/browsers",
                    "TOKEN",
                    null,
                    null,
                    405,
                    "method_not_allowed"),
                new Hostile(
                    "PUT on spawn",
                    "PUT",
                    spawn,
                    "TOKEN",
                    "application/json",
                    "{}",
                    405,
                    "method_not_allowed"),
                new Hostile(
                    "PATCH on stdin",
                    "PATCH",
                    stdin,
                    "TOKEN",
                    "application/json",
                    "{}",
                    405,
                    "method_not_allowed"),
                new Hostile(
                    "text/plain body",
                    "POST",
                    exec,
                    "TOKEN",
                    "text/plain",
                    "{\"command\":" + CMD + "}",
                    415,
                    "unsupported_media_type"),
                new Hostile(
                    "XML body",
                    "POST",
                    exec,
                    "TOKEN",
                    "application/xml",
                    "<command>touch</command>",
                    415,
                    "unsupported_media_type"),
                new Hostile(
                    "form body",
                    "POST",
                    spawn,
                    "TOKEN",
                    "application/x-www-form-urlencoded",
                    "command=touch",
                    415,
                    "unsupported_media_type"),
                new Hostile(
                    "HTML only accepted",
                    "GET",
                    status,
                    "TOKEN:text/html",
                    null,
                    null,
                    406,
                    "not_acceptable"),
                // Missing and wrong tokens.
                new Hostile(
                    "no token",
                    "POST",
                    exec,
                    null,
                    "application/json",
                    "{\"command\":" + CMD + "}",
                    401,
                    "unauthorized"),
                new Hostile(
                    "empty bearer",
                    "POST",
                    exec,
                    "Bearer ",
                    "application/json",
                    "{\"command\":" + CMD + "}",
                    401,
                    "unauthorized"),
                new Hostile(
                    "wrong token",
                    "POST",
                    spawn,
                    "Bearer not-the-token",
                    "application/json",
                    "{\"command\":" + CMD + "}",
                    401,
                    "unauthorized"),
                new Hostile(
                    "token with a suffix",
                    "POST",
                    spawn,
                    "TOKEN+x",
                    "application/json",
                    "{\"command\":" + CMD + "}",
                    401,
                    "unauthorized"),
                new Hostile(
                    "basic auth",
                    "GET",
                    "/browsers",
                    "Basic YWRtaW46YWRtaW4=",
                    null,
                    null,
                    401,
                    "unauthorized"),
                new Hostile(
                    "a 10 KB token",
                    "GET",
                    "/browsers",
                    "Bearer " + "t".repeat(10_000),
                    null,
                    null,
                    401,
                    "unauthorized"),
                new Hostile(
                    "no token for kill",
                    "POST",
                    kill,
                    null,
                    "application/json",
                    "{}",
                    401,
                    "unauthorized"),
                new Hostile(
                    "no token for delete",
                    "DELETE",
                    "/browsers/" + S,
                    null,
                    null,
                    null,
                    401,
                    "unauthorized")));
    return all.stream().map(Arguments::of);
  }

  @Order(1)
  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  void eachHostileRequestGetsItsDocumentedErrorJson(Hostile hostile) throws Exception {
    HttpResponse<String> response = send(hostile);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(hostile.status());
    assertThat(response.headers().firstValue("content-type"))
        .hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
    JsonNode error = JSON.readTree(response.body());
    assertThat(error.path("code").asText()).isEqualTo(hostile.code());
    assertThat(error.path("message").asText()).isNotBlank().doesNotContain(server.token());
    assertThat(response.body()).doesNotContain("Exception").doesNotContain("\tat ");
    if (hostile.status() != 429) {
      assertThat(response.headers().firstValue("x-should-retry")).contains("false");
    }
  }

  @Order(2)
  @Test
  void afterwardsTheServerIsHealthyNothingRanAndNothingChanged() throws Exception {
    HttpResponse<String> health =
        http.send(
            HttpRequest.newBuilder(server.managementUri().resolve("/q/health/ready")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(
            server
                .processes()
                .processExec(session.getSessionId(), new ProcessExecRequest().command("true"))
                .getExitCode())
        .isZero();

    try (Stream<Path> left = Files.list(markers)) {
      assertThat(left).as("marker files of commands that ran").isEmpty();
    }
    assertThat(server.processes().processList(session.getSessionId()))
        .as("only the process the test spawned itself")
        .hasSize(1);
    assertThat(sessions()).isEqualTo(sessionsBefore);
    assertThat(files()).isEqualTo(filesBefore);
    assertThat(Files.readString(Path.of(session.getWorkDir(), "keep.txt"))).isEqualTo("unchanged");
  }

  private HttpResponse<String> send(Hostile hostile) throws Exception {
    String path = hostile.path().replace(S, session.getSessionId()).replace(P, process);
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(server.baseUri() + path))
            .method(
                hostile.method(),
                hostile.body() == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(hostile.body()));
    String token = hostile.token();
    if (token != null) {
      if (token.startsWith("TOKEN")) {
        request.header(
            "Authorization", "Bearer " + server.token() + (token.equals("TOKEN+x") ? "x" : ""));
        if (token.equals("TOKEN:HUGE-HEADER")) {
          request.header("X-Padding", "h".repeat(100_000));
        } else if (token.startsWith("TOKEN:")) {
          request.header("Accept", token.substring(6));
        }
      } else {
        request.header("Authorization", token);
      }
    }
    if (hostile.contentType() != null) {
      request.header("Content-Type", hostile.contentType());
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
