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
 * Builds every error answer of the server: the {@code Error} JSON body with the code's status, and
 * {@code x-should-retry: false} unless the code is retryable.
 */
@ApplicationScoped
public class ApiErrors {
  public static final String SHOULD_RETRY = "x-should-retry";

  private final ObjectMapper json;

  ApiErrors(ObjectMapper json) {
    this.json = json;
  }

  static Error body(ErrorCode code, String message, List<ErrorDetail> details) {
    Error error = new Error().code(code.code()).message(message);
    return details.isEmpty() ? error : error.details(details);
  }

  public static RestResponse<Error> response(ErrorCode code, String message) {
    return response(code, message, List.of());
  }

  public static RestResponse<Error> response(
      ErrorCode code, String message, List<ErrorDetail> details) {
    RestResponse.ResponseBuilder<Error> builder =
        RestResponse.ResponseBuilder.<Error>create(code.status())
            .entity(body(code, message, details))
            .type("application/json");
    if (!code.retryable()) {
      builder.header(SHOULD_RETRY, "false");
    }
    return builder.build();
  }

  /** Writes an error straight to a Vert.x response, for answers given outside JAX-RS. */
  public void write(HttpServerResponse response, ErrorCode code, String message) {
    if (response.ended() || response.closed()) {
      return;
    }
    String payload;
    try {
      payload = json.writeValueAsString(body(code, message, List.of()));
    } catch (JsonProcessingException e) {
      payload = "{\"code\":\"internal_error\",\"message\":\"internal error\"}";
    }
    response.setStatusCode(code.status()).putHeader("content-type", "application/json");
    if (!code.retryable()) {
      response.putHeader(SHOULD_RETRY, "false");
    }
    response.end(payload);
  }
}
