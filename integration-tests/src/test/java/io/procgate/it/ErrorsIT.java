package io.procgate.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.procgate.client.ApiException;
import io.procgate.client.api.BrowserProcessesApi;
import io.procgate.client.model.Browser;
import io.procgate.client.model.BrowserCreateRequest;
import io.procgate.client.model.ProcessExecRequest;
import io.procgate.testing.ServerProcess;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every refusal of the API: each is the {@code Error} JSON with its stable code, and none that a
 * retry cannot fix invites one.
 */
@ExtendWith(SharedServer.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60)
class ErrorsIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ServerProcess server;
  private final HttpClient http = HttpClient.newHttpClient();
  private Browser session;

  ErrorsIT(ServerProcess server) {
    this.server = server;
  }

  @BeforeAll
  void createSession() throws Exception {
    session = server.browsers().createBrowser(new BrowserCreateRequest().name("errors-it"));
    Files.writeString(Path.of(session.getWorkDir(), "plain-file"), "not a directory");
  }

  @AfterAll
  void deleteSession() throws Exception {
    server.browsers().deleteBrowser(session.getSessionId());
  }

  private static void assertError(ApiException e, int status, String code) {
    assertErrorResponse(e.getCode(), e.getResponseHeaders(), e.getResponseBody(), status, code);
  }

  /** The answer is the {@code Error} JSON with {@code code}, and tells clients not to retry. */
  private static void assertErrorResponse(
      int actualStatus, HttpHeaders headers, String body, int status, String code) {
    assertThat(actualStatus).as(body).isEqualTo(status);
    assertThat(headers.firstValue("content-type"))
        .hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
    assertThat(headers.firstValue("x-should-retry")).contains("false");
    JsonNode error = parse(body);
    assertThat(error.path("code").asText()).isEqualTo(code);
    assertThat(error.path("message").asText()).isNotBlank();
  }

  private static JsonNode parse(String body) {
    try {
      return JSON.readTree(body);
    } catch (Exception e) {
      throw new AssertionError("not JSON: " + body, e);
    }
  }

  static Stream<Arguments> invalidExecRequests() {
    return Stream.of(
        Arguments.of("relative cwd", 400, "validation_failed", req(r -> r.cwd("tmp"))),
        Arguments.of("missing cwd", 400, "invalid_cwd", req(r -> r.cwd("/no/such/dir"))),
        Arguments.of("cwd is a file", 400, "invalid_cwd", req(r -> r.cwd("PLAIN_FILE"))),
        Arguments.of("negative timeout", 400, "invalid_timeout", req(r -> r.timeoutSec(-1))),
        Arguments.of("timeout above max", 400, "invalid_timeout", req(r -> r.timeoutSec(121))),
        Arguments.of(
            "as_user with as_root",
            400,
            "conflicting_user_options",
            req(r -> r.asUser("root").asRoot(true))),
        Arguments.of("unknown user", 400, "unknown_user", req(r -> r.asUser("no-such-user-zz"))),
        Arguments.of(
            "missing command", 400, "command_not_found", req(r -> r.command("no-such-command-zz"))),
        Arguments.of(
            "non-executable command", 400, "not_executable", req(r -> r.command("/etc/hostname"))),
        Arguments.of("empty command", 400, "invalid_request", req(r -> r.command(""))),
        Arguments.of(
            "NUL in an argument", 400, "invalid_request", req(r -> r.args(List.of("a\u0000b")))),
        Arguments.of(
            "bad env name", 400, "invalid_request", req(r -> r.env(java.util.Map.of("A=B", "x")))));
  }

  private static ProcessExecRequest req(Consumer<ProcessExecRequest> change) {
    ProcessExecRequest request = new ProcessExecRequest().command("true");
    change.accept(request);
    return request;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidExecRequests")
  void invalidExecRequestsAreRefused(
      String name, int status, String code, ProcessExecRequest request) {
    if ("PLAIN_FILE".equals(request.getCwd())) {
      request.cwd(session.getWorkDir() + "/plain-file");
    }
    BrowserProcessesApi processes = server.processes();

    assertThatThrownBy(() -> processes.processExec(session.getSessionId(), request))
        .isInstanceOfSatisfying(ApiException.class, e -> assertError(e, status, code));
  }

  @Test
  void aRefusedRequestNamesEveryBrokenConstraintAndCreatesNothing() throws Exception {
    int before = server.browsers().listBrowsers(0, 100).size();
    HttpRequest request =
        HttpRequest.newBuilder(server.baseUri().resolve("/browsers"))
            .header("Authorization", "Bearer " + server.token())
            .header("Content-Type", "application/json")
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "{\"name\":\"../x\",\"timeout_seconds\":1,\"viewport\":{\"width\":0}}"))
            .build();

    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());

    assertErrorResponse(
        response.statusCode(), response.headers(), response.body(), 400, "validation_failed");
    JsonNode error = parse(response.body());
    assertThat(error.path("details").findValuesAsText("message"))
        .containsExactly(
            "field 'name' must match ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$",
            "field 'timeout_seconds' must be at least 10",
            "field 'viewport.height' is required",
            "field 'viewport.width' must be at least 1");
    assertThat(error.path("details").findValuesAsText("code")).containsOnly("invalid_value");
    assertThat(error.path("message").asText()).isEqualTo(error.at("/details/0/message").asText());
    assertThat(server.browsers().listBrowsers(0, 100)).hasSize(before);
  }

  @Test
  void aRefusedQueryParameterIsNamedAsOne() {
    assertThatThrownBy(() -> server.browsers().listBrowsers(-1, 101))
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertError(e, 400, "validation_failed");
              assertThat(parse(e.getResponseBody()).path("details").findValuesAsText("message"))
                  .containsExactly(
                      "query parameter 'limit' must be at most 100",
                      "query parameter 'offset' must be at least 0");
            });
  }

  @Test
  void anUnknownSessionIs404OnEverySessionPath() {
    assertThatThrownBy(
            () ->
                server
                    .processes()
                    .processExec("no-such-session", new ProcessExecRequest().command("true")))
        .isInstanceOfSatisfying(ApiException.class, e -> assertError(e, 404, "session_not_found"));
    assertThatThrownBy(() -> server.browsers().getBrowser("no-such-session"))
        .isInstanceOfSatisfying(ApiException.class, e -> assertError(e, 404, "session_not_found"));
    assertThatThrownBy(() -> server.browsers().deleteBrowser("no-such-session"))
        .isInstanceOfSatisfying(ApiException.class, e -> assertError(e, 404, "session_not_found"));
  }

  /** Requests the generated client cannot express: sent as raw HTTP. */
  static Stream<Arguments> rawRequests() {
    String exec = "/browsers/errors-it/process/exec";
    return Stream.of(
        Arguments.of(
            "no token",
            "POST",
            exec,
            null,
            "application/json",
            "{\"command\":\"true\"}",
            401,
            "unauthorized"),
        Arguments.of(
            "wrong token",
            "POST",
            exec,
            "Bearer wrong",
            "application/json",
            "{\"command\":\"true\"}",
            401,
            "unauthorized"),
        Arguments.of(
            "basic scheme",
            "GET",
            "/browsers",
            "Basic dXNlcjpwYXNz",
            null,
            null,
            401,
            "unauthorized"),
        Arguments.of(
            "unknown route without token",
            "GET",
            "/nowhere",
            null,
            null,
            null,
            401,
            "unauthorized"),
        Arguments.of("unknown route", "GET", "/nowhere", "TOKEN", null, null, 404, "not_found"),
        Arguments.of(
            "malformed JSON",
            "POST",
            exec,
            "TOKEN",
            "application/json",
            "{\"command\":",
            400,
            "invalid_json"),
        Arguments.of(
            "unknown field",
            "POST",
            exec,
            "TOKEN",
            "application/json",
            "{\"command\":\"true\",\"shell\":true}",
            400,
            "unknown_field"),
        Arguments.of(
            "wrong type",
            "POST",
            exec,
            "TOKEN",
            "application/json",
            "{\"command\":[\"true\"]}",
            400,
            "invalid_type"),
        Arguments.of(
            "string for integer",
            "POST",
            exec,
            "TOKEN",
            "application/json",
            "{\"command\":\"true\",\"timeout_sec\":\"5\"}",
            400,
            "invalid_type"),
        Arguments.of(
            "missing command",
            "POST",
            exec,
            "TOKEN",
            "application/json",
            "{\"args\":[]}",
            400,
            "validation_failed"),
        Arguments.of(
            "null in args",
            "POST",
            exec,
            "TOKEN",
            "application/json",
            "{\"command\":\"true\",\"args\":[null]}",
            400,
            "invalid_type"),
        Arguments.of(
            "empty body", "POST", exec, "TOKEN", "application/json", "", 400, "validation_failed"),
        Arguments.of(
            "wrong content type",
            "POST",
            exec,
            "TOKEN",
            "text/plain",
            "true",
            415,
            "unsupported_media_type"),
        Arguments.of(
            "wrong method",
            "PUT",
            exec,
            "TOKEN",
            "application/json",
            "{}",
            405,
            "method_not_allowed"),
        Arguments.of(
            "invalid name",
            "POST",
            "/browsers",
            "TOKEN",
            "application/json",
            "{\"name\":\"../x\"}",
            400,
            "validation_failed"),
        Arguments.of(
            "limit out of range",
            "GET",
            "/browsers?limit=0",
            "TOKEN",
            null,
            null,
            400,
            "validation_failed"),
        Arguments.of(
            "limit not a number",
            "GET",
            "/browsers?limit=ten",
            "TOKEN",
            null,
            null,
            400,
            "invalid_request"),
        Arguments.of(
            "oversized body",
            "POST",
            exec,
            "TOKEN",
            "application/json",
            "{\"command\":\"" + "a".repeat(2 * 1024 * 1024) + "\"}",
            413,
            "payload_too_large"),
        Arguments.of(
            "body of unknown length",
            "POST",
            exec,
            "TOKEN",
            "application/json",
            null,
            411,
            "length_required"));
  }

  /** No body, the body, or for 411 a body streamed without a length (chunked). */
  private static HttpRequest.BodyPublisher publisher(String body, int status) {
    if (status == 411) {
      return HttpRequest.BodyPublishers.fromPublisher(
          HttpRequest.BodyPublishers.ofString("{\"command\":\"true\"}"));
    }
    return body == null
        ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(body);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rawRequests")
  void malformedRequestsAreRefusedWithJson(
      String name,
      String method,
      String path,
      String authorization,
      String contentType,
      String body,
      int status,
      String code)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(server.baseUri().resolve(path))
            .method(method, publisher(body, status));
    if (authorization != null) {
      request.header(
          "Authorization",
          authorization.equals("TOKEN") ? "Bearer " + server.token() : authorization);
    }
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }

    HttpResponse<String> response =
        http.send(request.build(), HttpResponse.BodyHandlers.ofString());

    assertErrorResponse(response.statusCode(), response.headers(), response.body(), status, code);
    assertThat(response.body()).doesNotContain(server.token()).doesNotContain("Exception");
  }
}
