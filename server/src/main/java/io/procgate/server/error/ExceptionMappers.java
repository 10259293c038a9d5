package io.procgate.server.error;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import io.procgate.core.ProcessException;
import io.procgate.core.display.DisplayException;
import io.procgate.core.files.FileException;
import io.procgate.server.api.model.Error;
import io.procgate.server.api.model.ErrorDetail;
import io.procgate.server.validation.RequestRefused;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.UriInfo;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.server.ExceptionUnwrapStrategy;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;
import org.jboss.resteasy.reactive.server.UnwrapException;

/**
 * Turns every exception a request can raise into the {@code Error} JSON answer. Messages name the
 * offending field and never carry stack traces or class names; 500s carry only a reference that is
 * also in the log. A failure that reaches JAX-RS through a completion stage is mapped by its cause.
 */
@UnwrapException(value = CompletionException.class, strategy = ExceptionUnwrapStrategy.ALWAYS)
public class ExceptionMappers {
  private static final Logger LOG = Logger.getLogger(ExceptionMappers.class);

  @ServerExceptionMapper
  public RestResponse<Error> api(ApiException e) {
    return ApiErrors.response(e.code(), e.getMessage());
  }

  @ServerExceptionMapper
  public RestResponse<Error> process(ProcessException e) {
    ErrorCode code = ErrorCode.of(e.kind());
    return code == ErrorCode.INTERNAL_ERROR
        ? internal(e)
        : ApiErrors.response(code, e.getMessage());
  }

  // A display that failed says why in its message, which is the client's to read.
  @ServerExceptionMapper
  public RestResponse<Error> display(DisplayException e) {
    return ApiErrors.response(ErrorCode.of(e.kind()), e.getMessage());
  }

  @ServerExceptionMapper
  public RestResponse<Error> file(FileException e) {
    ErrorCode code = ErrorCode.of(e.kind());
    return code == ErrorCode.INTERNAL_ERROR
        ? internal(e)
        : ApiErrors.response(code, e.getMessage());
  }

  @ServerExceptionMapper
  public RestResponse<Error> unknownField(UnrecognizedPropertyException e) {
    return ApiErrors.response(
        ErrorCode.UNKNOWN_FIELD,
        "unknown field " + ApiException.quoted(pathOf(e)) + knownFields(e.getKnownPropertyIds()));
  }

  @ServerExceptionMapper
  public RestResponse<Error> mismatchedInput(MismatchedInputException e) {
    String field = pathOf(e);
    if (e.getTargetType() == null || field.isEmpty()) {
      return ApiErrors.response(
          ErrorCode.INVALID_JSON, "the request body is not the expected JSON object");
    }
    return ApiErrors.response(
        ErrorCode.INVALID_TYPE,
        "field " + ApiException.quoted(field) + " must be " + describe(e.getTargetType()));
  }

  @ServerExceptionMapper
  public RestResponse<Error> numberOutOfRange(InputCoercionException e) {
    // The parser, not the exception, knows where it was: the name of the field being read.
    String field =
        e.getProcessor() == null || e.getProcessor().getParsingContext() == null
            ? null
            : e.getProcessor().getParsingContext().getCurrentName();
    return ApiErrors.response(
        ErrorCode.INVALID_TYPE,
        (field == null ? "a number" : "field " + ApiException.quoted(field))
            + " is out of range: "
            + firstLine(e.getOriginalMessage()));
  }

  @ServerExceptionMapper
  public RestResponse<Error> malformedJson(JsonProcessingException e) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof InputCoercionException coercion) {
        return numberOutOfRange(coercion);
      }
    }
    // A value the field's type refused, such as a signal name that is not one of the enum's.
    if (e instanceof ValueInstantiationException refused && !pathOf(refused).isEmpty()) {
      return ApiErrors.response(
          ErrorCode.INVALID_TYPE,
          "field "
              + ApiException.quoted(pathOf(refused))
              + " must be "
              + describe(refused.getType().getRawClass()));
    }
    return ApiErrors.response(
        ErrorCode.INVALID_JSON,
        "malformed JSON"
            + (e.getLocation() == null
                ? ""
                : " at line "
                    + e.getLocation().getLineNr()
                    + ", column "
                    + e.getLocation().getColumnNr())
            + ": "
            + firstLine(e.getOriginalMessage()));
  }

  @ServerExceptionMapper
  public RestResponse<Error> invalidValues(RequestRefused e) {
    List<ErrorDetail> details =
        e.problems().stream()
            .map(problem -> new ErrorDetail().code("invalid_value").message(problem))
            .toList();
    return ApiErrors.response(ErrorCode.VALIDATION_FAILED, e.getMessage(), details);
  }

  @ServerExceptionMapper
  public RestResponse<Error> web(WebApplicationException e, UriInfo uri) {
    return web(e, uri.getPath());
  }

  RestResponse<Error> web(WebApplicationException e, String path) {
    if (e.getCause() instanceof UnrecognizedPropertyException unknown) {
      return unknownField(unknown);
    }
    if (e.getCause() instanceof MismatchedInputException mismatched) {
      return mismatchedInput(mismatched);
    }
    if (e.getCause() instanceof JsonProcessingException json) {
      return malformedJson(json);
    }
    int status = e.getResponse().getStatus();
    if (status >= 500) {
      return internal(e);
    }
    if (status == 404 && e.getCause() != null) {
      // JAX-RS answers 404 when a query or path parameter does not convert; it is bad input.
      return ApiErrors.response(
          ErrorCode.INVALID_REQUEST, "a query parameter has an invalid value");
    }
    RestResponse<Error> response =
        ApiErrors.response(ErrorCode.forStatus(status), messageFor(status, path));
    Object allow = e.getResponse().getHeaders().getFirst("Allow");
    if (allow != null) {
      response.getHeaders().putSingle("Allow", allow);
    }
    return response;
  }

  @ServerExceptionMapper
  public RestResponse<Error> unexpected(Throwable e) {
    return internal(e);
  }

  private static RestResponse<Error> internal(Throwable e) {
    String reference = UUID.randomUUID().toString();
    LOG.errorf(e, "internal error %s", reference);
    return ApiErrors.response(
        ErrorCode.INTERNAL_ERROR, "internal error; the server log has details under " + reference);
  }

  private static String messageFor(int status, String path) {
    return switch (status) {
      case 404 -> "no such route";
      case 405 -> "this route does not take that method";
      case 406 -> "this route cannot produce what the Accept header asks for";
      case 413 -> "the request body is too large";
      case 415 -> "this route takes " + bodyType(path);
      default -> "invalid request";
    };
  }

  /** The one media type each route with a body takes, as the API document gives them. */
  private static String bodyType(String path) {
    if (path.endsWith("/fs/write_file")) {
      return "application/octet-stream";
    }
    if (path.endsWith("/fs/upload") || path.endsWith("/fs/upload_zip")) {
      return "multipart/form-data";
    }
    return "application/json";
  }

  private static String describe(Class<?> type) {
    if (type.isEnum()) {
      return "one of "
          + java.util.Arrays.stream(type.getEnumConstants())
              .map(Object::toString)
              .collect(Collectors.joining(", "));
    }
    if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
      return "an integer";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "true or false";
    }
    if (type == String.class) {
      return "a string";
    }
    if (Collection.class.isAssignableFrom(type) || type.isArray()) {
      return "an array";
    }
    return "an object";
  }

  private static String pathOf(JsonMappingException e) {
    StringBuilder path = new StringBuilder();
    for (JsonMappingException.Reference reference : e.getPath()) {
      if (reference.getFieldName() != null) {
        if (path.length() > 0) {
          path.append('.');
        }
        path.append(reference.getFieldName());
      } else if (reference.getIndex() >= 0) {
        path.append('[').append(reference.getIndex()).append(']');
      }
    }
    return path.toString();
  }

  private static String knownFields(Collection<Object> known) {
    if (known == null || known.isEmpty()) {
      return "";
    }
    return "; known fields: "
        + known.stream().map(Object::toString).sorted().collect(Collectors.joining(", "));
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    int newline = message.indexOf('\n');
    String line = newline < 0 ? message : message.substring(0, newline);
    return line.length() > 200 ? line.substring(0, 200) + "..." : line;
  }
}
