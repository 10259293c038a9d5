package io.procgate.server.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Pod;
import io.procgate.server.error.ApiException;
import io.procgate.server.error.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.NetClient;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Connections from the control plane to the session nodes, each call with the API key of the node's
 * own session, which no client ever sees. Connections are kept alive between calls: an exec through
 * the control plane costs one more hop, not a handshake.
 */
@ApplicationScoped
public class NodeClient {
  // A stream (output, watch events) holds its connection for as long as it runs.
  private static final int CONNECTIONS_PER_NODE = 256;

  private final Cluster cluster;
  private final ObjectMapper json;
  private final HttpClient http;
  private final NetClient net;

  NodeClient(Vertx vertx, Cluster cluster, ObjectMapper json) {
    this.cluster = cluster;
    this.json = json;
    this.http =
        vertx.createHttpClient(
            new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true),
            new PoolOptions().setHttp1MaxSize(CONNECTIONS_PER_NODE));
    this.net = vertx.createNetClient();
  }

  /** A request to the node of {@code pod}, its head not sent yet; {@code uri} with its query. */
  Future<HttpClientRequest> request(Pod pod, HttpMethod method, String uri) {
    RequestOptions options =
        new RequestOptions()
            .setMethod(method)
            .setHost(pod.getStatus().getPodIP())
            .setPort(cluster.settings().nodePort())
            .setURI(uri);
    String session = SessionPods.sessionId(pod);
    return http.request(options)
        .map(
            request ->
                request.putHeader("Authorization", "Bearer " + cluster.keys().apiKey(session)));
  }

  /** For tunnels to the nodes' CDP endpoints. */
  NetClient net() {
    return net;
  }

  /**
   * Makes a call of the control plane's own to the node, answered in JSON.
   *
   * @param host the {@code Host} the node builds the session's URLs with: the client's
   * @param body a JSON body, or null for none
   * @return the node's answer; fails with the node's own error when it answers one, and with {@code
   *     node_unavailable} when it does not answer
   */
  CompletionStage<JsonNode> call(Pod pod, HttpMethod method, String uri, String host, String body) {
    CompletableFuture<JsonNode> answer = new CompletableFuture<>();
    // A kept-alive connection the node closed as it was taken (pod addresses are reused) carried
    // nothing: the call is made once more, on a new one. A node that did get it and then died
    // refuses the second create (one session a pod) or does not answer it.
    send(pod, method, uri, host, body)
        .recover(
            failure ->
                failure instanceof HttpClosedException
                    ? send(pod, method, uri, host, body)
                    : Future.failedFuture(failure))
        .onSuccess(reply -> complete(answer, reply))
        .onFailure(
            failure ->
                answer.completeExceptionally(
                    new ApiException(
                        ErrorCode.NODE_UNAVAILABLE,
                        "the session's node did not answer: " + failure.getMessage())));
    return answer;
  }

  private Future<Answer> send(Pod pod, HttpMethod method, String uri, String host, String body) {
    return request(pod, method, uri)
        .compose(
            request -> {
              request.putHeader("Host", host);
              if (body == null) {
                return request.send();
              }
              request.putHeader("Content-Type", "application/json");
              return request.send(Buffer.buffer(body));
            })
        .compose(
            response -> response.body().map(bytes -> new Answer(response.statusCode(), bytes)));
  }

  private record Answer(int status, Buffer body) {}

  private void complete(CompletableFuture<JsonNode> answer, Answer reply) {
    JsonNode body;
    try {
      body = reply.body().length() == 0 ? json.nullNode() : json.readTree(reply.body().getBytes());
    } catch (Exception notJson) {
      answer.completeExceptionally(
          new ApiException(
              ErrorCode.NODE_UNAVAILABLE,
              "the session's node answered " + reply.status() + " without JSON"));
      return;
    }
    if (reply.status() >= 400) {
      ErrorCode code =
          ErrorCode.named(body.path("code").asText())
              .filter(named -> named.status() == reply.status())
              .orElse(ErrorCode.NODE_UNAVAILABLE);
      answer.completeExceptionally(new ApiException(code, body.path("message").asText()));
      return;
    }
    answer.complete(body);
  }
}
