package io.procgate.client.stream;

import io.procgate.client.ApiClient;
import io.procgate.client.ApiException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

/**
 * One call the generated client cannot make, sent as it sends its own: through its HTTP client,
 * with its request interceptor (the bearer token), and failing with its {@link ApiException}, which
 * carries the server's {@code Error} JSON.
 */
final class ApiCall {
  private ApiCall() {}

  /** {@code /browsers/<id><path>}, with the query's names and values in pairs, encoded. */
  static URI uri(ApiClient api, String sessionId, String path, String... query) {
    StringBuilder uri =
        new StringBuilder(api.getBaseUri()).append("/browsers/").append(segment(sessionId));
    uri.append(path);
    for (int i = 0; i + 1 < query.length; i += 2) {
      if (query[i + 1] != null) {
        uri.append(uri.indexOf("?") < 0 ? '?' : '&')
            .append(segment(query[i]))
            .append('=')
            .append(segment(query[i + 1]));
      }
    }
    return URI.create(uri.toString());
  }

  /**
   * Sends the request; the caller owns the body of the answer and closes it.
   *
   * @throws ApiException when the server answers with an error, or cannot be reached
   */
  static HttpResponse<InputStream> send(
      ApiClient api, String operation, HttpRequest.Builder request) throws ApiException {
    if (api.getRequestInterceptor() != null) {
      api.getRequestInterceptor().accept(request);
    }
    HttpResponse<InputStream> response;
    try {
      response =
          api.getHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (IOException e) {
      throw new ApiException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiException(e);
    }
    if (response.statusCode() / 100 != 2) {
      String error;
      try (InputStream errorBody = response.body()) {
        error = new String(errorBody.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        error = "";
      }
      throw new ApiException(
          response.statusCode(),
          operation + " call failed with: " + response.statusCode() + " - " + error,
          response.headers(),
          error);
    }
    return response;
  }

  /** Sends a request whose answer has no body worth reading. */
  static void call(ApiClient api, String operation, HttpRequest.Builder request)
      throws ApiException {
    try (InputStream body = send(api, operation, request).body()) {
      body.transferTo(OutputStream.nullOutputStream());
    } catch (IOException e) {
      throw new ApiException(e);
    }
  }

  /** A path segment or query value, encoded. */
  static String segment(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
