package io.procgate.server.error;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.procgate.core.ProcessException;
import io.procgate.server.api.model.Error;
import io.procgate.server.api.model.ProcessExecRequest;
import io.procgate.server.api.model.ProcessKillRequest;
import io.procgate.server.api.model.ProcessSpawnRequest;
import io.procgate.server.json.StrictJson;
import jakarta.ws.rs.NotAcceptableException;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.util.stream.Stream;
import org.jboss.resteasy.reactive.RestResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Every failure a request can raise, mapped without a server: status, code, retry header. */
class ExceptionMappersTest {
  private static final ObjectMapper JSON = strictJson();
  private static final String EXEC = "/browsers/s/process/exec";
  private final ExceptionMappers mappers = new ExceptionMappers();

  private static ObjectMapper strictJson() {
    ObjectMapper mapper = new ObjectMapper();
    new StrictJson().customize(mapper);
    return mapper;
  }

  private static void assertError(RestResponse<Error> response, ErrorCode code) {
    assertThat(response.getStatus()).isEqualTo(code.status());
    assertThat(response.getEntity().getCode()).isEqualTo(code.code());
    assertThat(response.getEntity().getMessage()).isNotBlank();
    assertThat(response.getHeaderString(ApiErrors.SHOULD_RETRY))
        .isEqualTo(code.retryable() ? null : "false");
  }

  @ParameterizedTest
  @EnumSource(ProcessException.Kind.class)
  void everyCoreFailureKindHasItsCode(ProcessException.Kind kind) {
    RestResponse<Error> response =
        mappers.process(new ProcessException(kind, "secret detail of " + kind));

    assertError(response, ErrorCode.of(kind));
    if (response.getStatus() == 500) {
      assertThat(response.getEntity().getMessage())
          .as("a 500 names a log reference, not the cause")
          .doesNotContain("secret detail")
          .contains("server log");
    } else {
      assertThat(response.getEntity().getMessage()).isEqualTo("secret detail of " + kind);
    }
  }

  static Stream<Arguments> badBodies() {
    return Stream.of(
        Arguments.of(
            ProcessExecRequest.class,
            "{\"command\":\"x\",\"nope\":1}",
            ErrorCode.UNKNOWN_FIELD,
            "nope"),
        Arguments.of(
            ProcessExecRequest.class, "{\"command\":7}", ErrorCode.INVALID_TYPE, "command"),
        Arguments.of(
            ProcessExecRequest.class,
            "{\"command\":\"x\",\"args\":\"a\"}",
            ErrorCode.INVALID_TYPE,
            "args"),
        Arguments.of(
            ProcessExecRequest.class,
            "{\"command\":\"x\",\"timeout_sec\":1e99}",
            ErrorCode.INVALID_TYPE,
            "timeout_sec"),
        Arguments.of(
            ProcessExecRequest.class,
            "{\"command\":\"x\",\"timeout_sec\":99999999999}",
            ErrorCode.INVALID_TYPE,
            "field 'timeout_sec' is out of range"),
        Arguments.of(
            ProcessExecRequest.class,
            "{\"command\":\"x\",\"command\":\"y\"}",
            ErrorCode.INVALID_JSON,
            "command"),
        Arguments.of(
            ProcessExecRequest.class, "{\"command\":", ErrorCode.INVALID_JSON, "malformed"),
        Arguments.of(ProcessExecRequest.class, "[1]", ErrorCode.INVALID_JSON, "JSON object"),
        Arguments.of(ProcessExecRequest.class, "{} {}", ErrorCode.INVALID_JSON, "JSON object"),
        Arguments.of(
            ProcessSpawnRequest.class,
            "{\"command\":\"x\",\"allocate_tty\":\"yes\"}",
            ErrorCode.INVALID_TYPE,
            "allocate_tty"),
        Arguments.of(
            ProcessKillRequest.class, "{\"signal\":\"BOOM\"}", ErrorCode.INVALID_TYPE, "signal"));
  }

  @ParameterizedTest
  @MethodSource("badBodies")
  void everyJacksonFailureIsABadRequestNamingTheField(
      Class<?> type, String body, ErrorCode code, String mentioned) {
    Throwable failure = catchThrowable(() -> JSON.readValue(body, type));
    assertThat(failure).as(body).isNotNull();

    RestResponse<Error> response = mappers.web(new WebApplicationException(failure, 400), EXEC);

    assertError(response, code);
    assertThat(response.getEntity().getMessage()).contains(mentioned);
  }

  @Test
  void jaxRsRefusalsKeepTheirStatusAndAllowHeader() {
    assertError(mappers.web(new NotFoundException(), EXEC), ErrorCode.NOT_FOUND);
    assertError(mappers.web(new NotAcceptableException(), EXEC), ErrorCode.NOT_ACCEPTABLE);
    assertError(mappers.web(new NotSupportedException(), EXEC), ErrorCode.UNSUPPORTED_MEDIA_TYPE);
    RestResponse<Error> notAllowed =
        mappers.web(new NotAllowedException("GET", new String[] {"POST"}), EXEC);
    assertError(notAllowed, ErrorCode.METHOD_NOT_ALLOWED);
    assertThat(notAllowed.getHeaderString("Allow")).contains("GET");
  }

  @Test
  void aWrongContentTypeIsToldTheOneItsRouteTakes() {
    assertThat(messageOf415("/browsers/s/process/exec")).endsWith("application/json");
    assertThat(messageOf415("/browsers/s/fs/write_file")).endsWith("application/octet-stream");
    assertThat(messageOf415("/browsers/s/fs/upload")).endsWith("multipart/form-data");
    assertThat(messageOf415("/browsers/s/fs/upload_zip")).endsWith("multipart/form-data");
  }

  private String messageOf415(String path) {
    RestResponse<Error> response = mappers.web(new NotSupportedException(), path);
    assertError(response, ErrorCode.UNSUPPORTED_MEDIA_TYPE);
    return response.getEntity().getMessage();
  }

  @Test
  void aParameterThatDoesNotConvertIsABadRequestNotANotFound() {
    assertError(
        mappers.web(new NotFoundException(new NumberFormatException("x")), EXEC),
        ErrorCode.INVALID_REQUEST);
  }

  @Test
  void serverSideFailuresAreInternalErrorsWithoutTheirMessage() {
    assertError(
        mappers.web(new WebApplicationException("db down", 503), EXEC), ErrorCode.INTERNAL_ERROR);
    RestResponse<Error> unexpected = mappers.unexpected(new IllegalStateException("stack secret"));
    assertError(unexpected, ErrorCode.INTERNAL_ERROR);
    assertThat(unexpected.getEntity().getMessage()).doesNotContain("stack secret");
  }

  @Test
  void anApiExceptionKeepsItsCodeAndMessage() {
    for (ErrorCode code : ErrorCode.values()) {
      RestResponse<Error> response = mappers.api(new ApiException(code, "because"));
      assertError(response, code);
      assertThat(response.getEntity().getMessage()).isEqualTo("because");
    }
  }

  @Test
  void statusesTheHttpLayersAnswerOnTheirOwnHaveACode() {
    for (int status : new int[] {400, 401, 404, 405, 406, 411, 413, 414, 415, 431, 500, 502}) {
      ErrorCode code = ErrorCode.forStatus(status);
      assertThat(code.status()).as("status " + status).isEqualTo(status >= 500 ? 500 : status);
    }
    assertThat(Response.Status.fromStatusCode(ErrorCode.forStatus(418).status()))
        .isEqualTo(Response.Status.BAD_REQUEST);
  }
}
