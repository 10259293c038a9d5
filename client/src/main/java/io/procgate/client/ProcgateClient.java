package io.procgate.client;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.util.Objects;

/**
 * Makes a generated {@link ApiClient} ready for a procgate server: HTTP/1.1, the only version the
 * server speaks (asking for HTTP/2 would only add an upgrade attempt to every connection); a JSON
 * reader that parses the bytes of what it is given, without Jackson's 20-million-character limit on
 * strings, which an exec result of 16 MiB per stream (22 million base64 characters) exceeds; and
 * the bearer token on every request.
 *
 * <pre>{@code
 * ApiClient api = ProcgateClient.create(URI.create("http://localhost:8080"), token);
 * Browser session = new BrowsersApi(api).createBrowser(new BrowserCreateRequest());
 * }</pre>
 */
public final class ProcgateClient {
  private ProcgateClient() {}

  public static ApiClient create(URI baseUri, String token) {
    return create(baseUri, token, HttpClient.newBuilder());
  }

  /**
   * As {@link #create(URI, String)}, on an HTTP client builder of the caller's (an executor, a
   * connect timeout, a proxy); its version is set to HTTP/1.1.
   */
  public static ApiClient create(URI baseUri, String token, HttpClient.Builder http) {
    Objects.requireNonNull(token, "token");
    ObjectMapper json =
        ApiClient.createDefaultObjectMapper().copyWith(new ByteParsingJsonFactory());
    json.getFactory()
        .setStreamReadConstraints(
            StreamReadConstraints.builder().maxStringLength(Integer.MAX_VALUE).build());
    ApiClient api =
        new ApiClient(http.version(HttpClient.Version.HTTP_1_1), json, baseUri.toString());
    api.setRequestInterceptor(request -> request.header("Authorization", "Bearer " + token));
    return api;
  }
}
