package io.procgate.server.cdp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.procgate.core.browser.Browser;
import io.procgate.core.browser.BrowserState;
import io.procgate.core.browser.DevToolsEndpoint;
import io.procgate.server.config.ProcgateConfig;
import io.procgate.server.error.ApiErrors;
import io.procgate.server.error.ErrorCode;
import io.procgate.server.session.Session;
import io.procgate.server.session.SessionRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * The sessions' CDP endpoints on this server, at {@code /cdp/<session>}: a WebSocket upgrade there
 * is relayed to the browser's own target ({@code /devtools/...} below it to that target of the
 * browser), and {@code /json/version}, {@code /json/list} and {@code /json} below it are
 * Chromium's, with their WebSocket URLs pointing here. Every request needs the session's token in
 * its {@code jwt} query parameter, checked before anything else happens; it never appears in a log
 * line.
 *
 * <p>An open connection keeps its session in use whatever its traffic. Connections are closed when
 * the browser dies (clients reconnect to the restarted one) and when the session ends.
 */
@ApplicationScoped
public class CdpProxy {
  private static final Logger LOG = Logger.getLogger(CdpProxy.class);
  // After the front's size and token checks (-10, -9), before JAX-RS.
  private static final int ORDER = -8;
  private static final Set<String> VERSION = Set.of("/json/version", "/json/version/");
  private static final Set<String> LIST = Set.of("/json/list", "/json/list/", "/json", "/json/");

  private final SessionRegistry sessions;
  private final CdpTokens tokens;
  private final CdpUrls urls;
  private final ApiErrors errors;
  private final ObjectMapper json;
  private final Vertx vertx;
  private final boolean controlPlane;
  private final Map<Session, Set<CdpTunnel>> open = new ConcurrentHashMap<>();
  private NetClient net;
  private HttpClient http;

  CdpProxy(
      SessionRegistry sessions,
      CdpTokens tokens,
      CdpUrls urls,
      ApiErrors errors,
      ObjectMapper json,
      Vertx vertx,
      ProcgateConfig config) {
    this.controlPlane = config.mode() == ProcgateConfig.Mode.CONTROL_PLANE;
    this.sessions = sessions;
    this.tokens = tokens;
    this.urls = urls;
    this.errors = errors;
    this.json = json;
    this.vertx = vertx;
  }

  void install(@Observes Router router) {
    // A control plane's sessions are its pods': its NodeRelay takes this path there.
    if (controlPlane) {
      return;
    }
    net = vertx.createNetClient();
    http = vertx.createHttpClient();
    router.route(CdpUrls.PREFIX + "*").order(ORDER).handler(this::handle);
  }

  private void handle(RoutingContext context) {
    HttpServerRequest request = context.request();
    String rest = context.normalizedPath().substring(CdpUrls.PREFIX.length());
    int slash = rest.indexOf('/');
    String id = slash < 0 ? rest : rest.substring(0, slash);
    String below = slash < 0 ? "" : rest.substring(slash);
    Optional<Session> session =
        tokens.verify(request.getParam("jwt")).filter(id::equals).flatMap(sessions::find);
    if (session.isEmpty()) {
      context.response().putHeader("WWW-Authenticate", "Bearer");
      errors.write(
          context.response(),
          ErrorCode.UNAUTHORIZED,
          "a valid token of this session is required in the jwt query parameter");
      return;
    }
    Optional<Browser> browser = session.get().browser();
    if (browser.isEmpty()) {
      errors.write(context.response(), ErrorCode.BROWSER_NOT_FOUND, "this session has no browser");
      return;
    }
    Optional<DevToolsEndpoint> endpoint = browser.get().endpoint();
    if (endpoint.isEmpty()) {
      errors.write(
          context.response(),
          ErrorCode.BROWSER_UNAVAILABLE,
          "the session's browser is "
              + browser.get().state().name().toLowerCase(Locale.ROOT)
              + "; retry");
      return;
    }
    if ("websocket".equalsIgnoreCase(request.getHeader("Upgrade"))) {
      if (!below.isEmpty() && !below.startsWith("/devtools/")) {
        errors.write(context.response(), ErrorCode.NOT_FOUND, "no such DevTools target");
        return;
      }
      if (request.getHeader("Sec-WebSocket-Key") == null) {
        errors.write(context.response(), ErrorCode.INVALID_REQUEST, "not a WebSocket handshake");
        return;
      }
      relay(request, session.get(), browser.get(), endpoint.get(), below);
    } else if (request.method() == HttpMethod.GET
        && (VERSION.contains(below) || LIST.contains(below))) {
      describe(context, session.get(), endpoint.get(), VERSION.contains(below));
    } else {
      errors.write(context.response(), ErrorCode.NOT_FOUND, "no such DevTools endpoint");
    }
  }

  private void relay(
      HttpServerRequest request,
      Session session,
      Browser browser,
      DevToolsEndpoint endpoint,
      String below) {
    String path = below.isEmpty() ? endpoint.browserPath() : below;
    Session.Use use = session.use();
    CdpTunnel.open(
            request,
            net,
            server(endpoint),
            DevToolsEndpoint.HOST,
            endpoint.port(),
            path,
            use::close)
        .onSuccess(tunnel -> track(session, browser, tunnel))
        .onFailure(
            failure -> {
              LOG.debugf(
                  "CDP connection to session %s refused: %s", session.id(), failure.getMessage());
              errors.write(
                  request.response(),
                  ErrorCode.BROWSER_UNAVAILABLE,
                  "the session's browser did not take the connection; retry");
            });
  }

  private void track(Session session, Browser browser, CdpTunnel tunnel) {
    Set<CdpTunnel> tunnels =
        open.computeIfAbsent(
            session,
            key -> {
              browser.addListener(
                  (which, state) -> {
                    if (state != BrowserState.RUNNING) {
                      closeAll(session, state == BrowserState.STOPPED);
                    }
                  });
              return ConcurrentHashMap.newKeySet();
            });
    tunnels.add(tunnel);
    tunnel.onClose(() -> tunnels.remove(tunnel));
    // The browser may have gone while the connection was being made.
    if (browser.state() != BrowserState.RUNNING) {
      tunnel.close();
    }
  }

  /** CDP connections relayed now, to every session's browser. */
  public int openConnections() {
    return open.values().stream().mapToInt(Set::size).sum();
  }

  private void closeAll(Session session, boolean forget) {
    Set<CdpTunnel> tunnels = forget ? open.remove(session) : open.get(session);
    if (tunnels != null) {
      tunnels.forEach(CdpTunnel::close);
    }
  }

  /** Where the server connects to reach the browser: its port, or the bridge to it. */
  private static SocketAddress server(DevToolsEndpoint endpoint) {
    return endpoint
        .bridge()
        .map(socket -> SocketAddress.domainSocketAddress(socket.toString()))
        .orElseGet(() -> SocketAddress.inetSocketAddress(endpoint.port(), DevToolsEndpoint.HOST));
  }

  /** Chromium's own description of itself or of its targets, with URLs that lead here. */
  private void describe(
      RoutingContext context, Session session, DevToolsEndpoint endpoint, boolean version) {
    String host = context.request().host();
    RequestOptions options =
        new RequestOptions()
            .setServer(server(endpoint))
            .setHost(DevToolsEndpoint.HOST)
            .setPort(endpoint.port())
            .setURI(version ? "/json/version" : "/json/list");
    http.request(options)
        .compose(request -> request.send())
        .compose(response -> response.body())
        .onSuccess(
            body -> {
              try {
                JsonNode answer = json.readTree(body.getBytes());
                if (version) {
                  ((ObjectNode) answer).put("webSocketDebuggerUrl", urls.browser(session, host));
                } else {
                  for (JsonNode target : (ArrayNode) answer) {
                    ObjectNode entry = (ObjectNode) target;
                    // Its front end is served from the browser's own port, out of reach.
                    entry.remove("devtoolsFrontendUrl");
                    JsonNode own = entry.get("webSocketDebuggerUrl");
                    if (own != null) {
                      String path = URI.create(own.asText()).getRawPath();
                      entry.put("webSocketDebuggerUrl", urls.target(session, host, path));
                    }
                  }
                }
                context
                    .response()
                    .putHeader("content-type", "application/json")
                    .end(json.writeValueAsString(answer));
              } catch (Exception e) {
                errors.write(
                    context.response(),
                    ErrorCode.BROWSER_UNAVAILABLE,
                    "the browser's answer was not JSON");
              }
            })
        .onFailure(
            failure ->
                errors.write(
                    context.response(),
                    ErrorCode.BROWSER_UNAVAILABLE,
                    "the browser did not answer; retry"));
  }
}
