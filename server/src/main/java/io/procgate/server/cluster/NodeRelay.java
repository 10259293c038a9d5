package io.procgate.server.cluster;

import io.fabric8.kubernetes.api.model.Pod;
import io.procgate.server.cdp.CdpTokens;
import io.procgate.server.cdp.CdpTunnel;
import io.procgate.server.config.ProcgateConfig;
import io.procgate.server.error.ApiErrors;
import io.procgate.server.error.ApiException;
import io.procgate.server.error.ErrorCode;
import io.procgate.server.live.LiveViews;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * On a control plane, every call below a session ({@code /browsers/<id>/process/...}, {@code
 * /fs/...}) and its CDP endpoint ({@code /cdp/<id>}, WebSocket and {@code /json/*}) relayed to the
 * session's node, as it came: method, path, query, headers and body, the client's {@code Host}
 * included (the node builds its URLs from it, so they lead back here), and the answer likewise.
 * Bodies stream both ways and each side is read only as fast as the other takes it, so an upload or
 * an output stream of any length holds a few buffers here; a client that goes away resets the call
 * to the node, which then ends the stream it served.
 */
@ApplicationScoped
public class NodeRelay {
  private static final Logger LOG = Logger.getLogger(NodeRelay.class);
  // After the front's token and size checks (-10, -9), before JAX-RS; where the CDP proxy is on a
  // node.
  private static final int ORDER = -8;
  private static final String CDP = "/cdp/";
  private static final String BROWSERS = "/browsers/";
  // Headers of one connection, not of the call (RFC 9110, 7.6.1), and the client's credentials.
  private static final Set<String> NOT_RELAYED =
      Set.of(
          "connection",
          "keep-alive",
          "proxy-connection",
          "te",
          "trailer",
          "transfer-encoding",
          "upgrade",
          "expect",
          "authorization");

  private final ProcgateConfig config;
  private final SessionLookup sessions;
  private final NodeClient nodes;
  private final CdpTokens tokens;
  private final ApiErrors errors;

  NodeRelay(
      ProcgateConfig config,
      SessionLookup sessions,
      NodeClient nodes,
      CdpTokens tokens,
      ApiErrors errors) {
    this.config = config;
    this.sessions = sessions;
    this.nodes = nodes;
    this.tokens = tokens;
    this.errors = errors;
  }

  void install(@Observes Router router) {
    if (config.mode() != ProcgateConfig.Mode.CONTROL_PLANE) {
      return;
    }
    router
        .route(CDP + "*")
        .order(ORDER)
        .handler(context -> withSessionToken(context, CDP, tokens::verify));
    // A live view's page and socket; noVNC's files the control plane serves itself.
    router
        .routeWithRegex(LiveViews.PREFIX + "(?!novnc/)[^/]+.*")
        .order(ORDER)
        .handler(
            context ->
                withSessionToken(
                    context,
                    LiveViews.PREFIX,
                    token -> tokens.grant(token).map(CdpTokens.Grant::sessionId)));
    router.routeWithRegex(BROWSERS + "[^/]+/.+").order(ORDER).handler(this::belowSession);
  }

  private void belowSession(RoutingContext context) {
    String path = context.normalizedPath();
    int slash = path.indexOf('/', BROWSERS.length());
    String idOrName = path.substring(BROWSERS.length(), slash);
    HttpServerRequest request = context.request();
    request.pause();
    sessions
        .runningPod(idOrName)
        .onSuccess(pod -> relay(request, pod))
        .onFailure(failure -> refuse(request, failure));
  }

  /**
   * Relays a path below {@code prefix} that names its session next and carries a token of it, which
   * {@code admits} checks here with the session's own key, as the node will check it again.
   */
  private void withSessionToken(
      RoutingContext context, String prefix, Function<String, Optional<String>> admits) {
    HttpServerRequest request = context.request();
    String rest = context.normalizedPath().substring(prefix.length());
    int slash = rest.indexOf('/');
    String id = slash < 0 ? rest : rest.substring(0, slash);
    if (admits.apply(request.getParam("jwt")).filter(id::equals).isEmpty()) {
      request.response().putHeader("WWW-Authenticate", "Bearer");
      errors.write(
          request.response(),
          ErrorCode.UNAUTHORIZED,
          "a valid token of this session is required in the jwt query parameter");
      return;
    }
    request.pause();
    sessions
        .runningPod(id)
        .onSuccess(
            pod -> {
              if ("websocket".equalsIgnoreCase(request.getHeader("Upgrade"))) {
                tunnel(request, pod);
              } else {
                relay(request, pod);
              }
            })
        .onFailure(failure -> refuse(request, failure));
  }

  private void tunnel(HttpServerRequest request, Pod pod) {
    if (request.getHeader("Sec-WebSocket-Key") == null) {
      errors.write(request.response(), ErrorCode.INVALID_REQUEST, "not a WebSocket handshake");
      return;
    }
    CdpTunnel.open(
            request,
            nodes.net(),
            pod.getStatus().getPodIP(),
            config.controlPlane().nodePort(),
            request.uri(),
            () -> {})
        .onFailure(
            failure ->
                errors.write(
                    request.response(),
                    ErrorCode.BROWSER_UNAVAILABLE,
                    "the session's node did not take the connection; retry ("
                        + failure.getMessage()
                        + ")"));
  }

  private void relay(HttpServerRequest request, Pod pod) {
    HttpServerResponse response = request.response();
    nodes
        .request(pod, request.method(), request.uri())
        .onSuccess(
            call -> {
              copyHeaders(request.headers(), call.headers());
              if (request.headers().contains(HttpHeaders.TRANSFER_ENCODING)) {
                call.setChunked(true);
              }
              call.response()
                  .onSuccess(answer -> answer(answer, response))
                  .onFailure(failure -> unanswered(response, failure));
              // The client gone: the node's stream for it ends too.
              response.closeHandler(gone -> call.reset());
              if ("100-continue".equalsIgnoreCase(request.getHeader(HttpHeaders.EXPECT))) {
                response.writeContinue();
              }
              request.pipeTo(call);
            })
        .onFailure(failure -> unanswered(response, failure));
  }

  private void answer(HttpClientResponse answer, HttpServerResponse response) {
    response.setStatusCode(answer.statusCode());
    copyHeaders(answer.headers(), response.headers());
    if (!answer.headers().contains(HttpHeaders.CONTENT_LENGTH)) {
      response.setChunked(true);
    }
    answer.pipeTo(response);
  }

  private void unanswered(HttpServerResponse response, Throwable failure) {
    if (response.headWritten()) {
      // Midway through an answer: all the client can learn is that it broke off.
      response.reset();
      return;
    }
    LOG.debugf("a session's node did not answer: %s", failure.getMessage());
    errors.write(response, ErrorCode.NODE_UNAVAILABLE, "the session's node did not answer; retry");
  }

  private void refuse(HttpServerRequest request, Throwable failure) {
    if (failure instanceof ApiException refused) {
      errors.write(request.response(), refused.code(), refused.getMessage());
    } else {
      unanswered(request.response(), failure);
    }
  }

  private static void copyHeaders(MultiMap from, MultiMap to) {
    for (var header : from) {
      if (!NOT_RELAYED.contains(header.getKey().toLowerCase(Locale.ROOT))) {
        to.add(header.getKey(), header.getValue());
      }
    }
  }
}
