package io.procgate.testing;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** A Chrome DevTools Protocol client on the JDK's WebSocket, as simple as a test needs. */
public final class CdpConnection implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  static {
    JSON.getFactory()
        .setStreamReadConstraints(
            StreamReadConstraints.builder().maxStringLength(Integer.MAX_VALUE).build());
  }

  private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
  private final AtomicInteger ids = new AtomicInteger();
  private final CompletableFuture<Integer> closed = new CompletableFuture<>();
  private WebSocket socket;

  private CdpConnection() {}

  /**
   * Connects to {@code url}.
   *
   * @throws java.util.concurrent.ExecutionException with a {@link
   *     java.net.http.WebSocketHandshakeException} when the server refuses the upgrade
   */
  public static CdpConnection open(String url) throws Exception {
    CdpConnection connection = new CdpConnection();
    connection.socket =
        HttpClient.newHttpClient()
            .newWebSocketBuilder()
            .connectTimeout(Duration.ofSeconds(10))
            .buildAsync(URI.create(url), connection.new Reader())
            .get(20, TimeUnit.SECONDS);
    return connection;
  }

  public static ObjectNode params() {
    return JSON.createObjectNode();
  }

  /** Opens a page target, attached in flat mode: commands to it carry the returned session id. */
  public String openPage(String url) throws Exception {
    String target = call("Target.createTarget", params().put("url", url)).get("targetId").asText();
    return call("Target.attachToTarget", params().put("targetId", target).put("flatten", true))
        .get("sessionId")
        .asText();
  }

  /** The value of {@code expression} in the page attached as {@code page}. */
  public JsonNode evaluate(String page, String expression) throws Exception {
    return call(
            page,
            "Runtime.evaluate",
            params().put("expression", expression).put("returnByValue", true))
        .path("result")
        .path("value");
  }

  /** Calls {@code method} on the browser and returns its result. */
  public JsonNode call(String method, ObjectNode params) throws Exception {
    return call(null, method, params);
  }

  /** Calls {@code method} in a target's session (from {@code Target.attachToTarget}). */
  public JsonNode call(String sessionId, String method, ObjectNode params) throws Exception {
    int id = ids.incrementAndGet();
    ObjectNode message = JSON.createObjectNode().put("id", id).put("method", method);
    message.set("params", params);
    if (sessionId != null) {
      message.put("sessionId", sessionId);
    }
    CompletableFuture<JsonNode> answer = new CompletableFuture<>();
    pending.put(id, answer);
    socket.sendText(JSON.writeValueAsString(message), true).get(60, TimeUnit.SECONDS);
    JsonNode reply = answer.get(60, TimeUnit.SECONDS);
    if (reply.has("error")) {
      throw new IllegalStateException(method + " failed: " + reply.get("error"));
    }
    return reply.get("result");
  }

  /** Completes with the close code once the other side ends the connection (-1 if it broke). */
  public CompletableFuture<Integer> closed() {
    return closed;
  }

  @Override
  public void close() {
    socket.abort();
  }

  private final class Reader implements WebSocket.Listener {
    private final StringBuilder text = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      text.append(data);
      if (last) {
        try {
          JsonNode message = JSON.readTree(text.toString());
          CompletableFuture<JsonNode> answer =
              message.has("id") ? pending.remove(message.get("id").asInt()) : null;
          if (answer != null) {
            answer.complete(message);
          }
        } catch (Exception e) {
          closed.completeExceptionally(e);
        }
        text.setLength(0);
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
      closed.complete(status);
      pending.values().forEach(p -> p.completeExceptionally(new IllegalStateException("closed")));
      return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      closed.complete(-1);
      pending.values().forEach(p -> p.completeExceptionally(error));
    }
  }
}
