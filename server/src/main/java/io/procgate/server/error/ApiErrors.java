package io.procgate.server.error;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.procgate.server.api.model.Error;
import io.procgate.server.api.model.ErrorDetail;
import io.vertx.core.http.HttpServerResponse;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import org.jboss.resteasy.reactive.RestResponse;

/**
 * Builds every error answer of the server: the {@code Error} JSON body, and {@code x-should-retry:
 * false} unless repeating the request later may succeed (429 and 503).
 */
@ApplicationScoped
public class ApiErrors {
  public static final String SHOULD_RETRY = "x-should-retry";

  private final ObjectMapper json;

  ApiErrors(ObjectMapper json) {
    this.json = json;
  }

  public static Error body(String code, String message, List<ErrorDetail> details) {
    Error error = new Error().code(code).message(message);
    return details.isEmpty() ? error : error.details(details);
  }

  public static boolean retryable(int status) {
    return status == 429 || status == 503;
  }

  public static RestResponse<Error> response(int status, String code, String message) {
    return response(status, code, message, List.of());
  }

  public static RestResponse<Error> response(
      int status, String code, String message, List<ErrorDetail> details) {
    RestResponse.ResponseBuilder<Error> builder =
        RestResponse.ResponseBuilder.<Error>create(status)
            .entity(body(code, message, details))
            .type("application/json");
    if (!retryable(status)) {
      builder.header(SHOULD_RETRY, "false");
    }
    return builder.build();
  }

  /** Writes an error straight to a Vert.x response, for answers given before JAX-RS. */
  public void write(HttpServerResponse response, int status, String code, String message) {
    if (response.ended() || response.closed()) {
      return;
    }
    String payload;
    try {
      payload = json.writeValueAsString(body(code, message, List.of()));
    } catch (JsonProcessingException e) {
      payload = "{\"code\":\"internal_error\",\"message\":\"internal error\"}";
    }
    response.setStatusCode(status).putHeader("content-type", "application/json");
    if (!retryable(status)) {
      response.putHeader(SHOULD_RETRY, "false");
    }
    response.end(payload);
  }
}
