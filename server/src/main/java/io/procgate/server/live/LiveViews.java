package io.procgate.server.live;

import io.procgate.core.browser.Browser;
import io.procgate.core.display.DisplayException;
import io.procgate.core.display.LiveView;
import io.procgate.server.cdp.CdpTokens;
import io.procgate.server.config.ProcgateConfig;
import io.procgate.server.error.ApiErrors;
import io.procgate.server.error.ErrorCode;
import io.procgate.server.session.Session;
import io.procgate.server.session.SessionRegistry;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.FileSystemAccess;
import io.vertx.ext.web.handler.StaticHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * The live view of headful sessions' screens, at {@code /live/<session>}: a page that shows the
 * screen with noVNC and takes the mouse and keyboard, and below it the WebSocket that carries VNC
 * to the screen's x11vnc, bytes as they are, each side read only as fast as the other takes them.
 * Both need the session's token in their {@code jwt} parameter: a {@code cdp_ws_url}'s, or a
 * read-only one, which is shown a VNC server that takes no input. noVNC's own files, under {@code
 * /live/novnc/}, are public.
 */
@ApplicationScoped
public class LiveViews {
  public static final String PREFIX = "/live/";
  private static final Logger LOG = Logger.getLogger(LiveViews.class);
  // After the front's size and token checks (-10, -9), beside the CDP proxy, before JAX-RS.
  private static final int ORDER = -8;
  private static final String NOVNC = PREFIX + "novnc/";
  private static final String SOCKET = "/websockify";

  private final SessionRegistry sessions;
  private final CdpTokens tokens;
  private final ApiErrors errors;
  private final Vertx vertx;
  private final Path novnc;
  private final boolean controlPlane;
  private final Buffer page;
  private NetClient net;

  LiveViews(
      SessionRegistry sessions,
      CdpTokens tokens,
      ApiErrors errors,
      Vertx vertx,
      ProcgateConfig config) {
    this.sessions = sessions;
    this.tokens = tokens;
    this.errors = errors;
    this.vertx = vertx;
    this.novnc = config.liveView().novnc();
    this.controlPlane = config.mode() == ProcgateConfig.Mode.CONTROL_PLANE;
    try (InputStream html = LiveViews.class.getResourceAsStream("/live/view.html")) {
      this.page = Buffer.buffer(html.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  void install(@Observes Router router) {
    router
        .route(NOVNC + "*")
        .order(ORDER)
        .handler(StaticHandler.create(FileSystemAccess.ROOT, novnc.toString()))
        .handler(this::missingNoVnc);
    // A control plane's sessions are its pods': its NodeRelay takes their live views there.
    if (controlPlane) {
      return;
    }
    net = vertx.createNetClient();
    router.route(PREFIX + "*").order(ORDER + 1).handler(this::handle);
  }

  private void missingNoVnc(RoutingContext context) {
    errors.write(
        context.response(),
        Files.isDirectory(novnc) ? ErrorCode.NOT_FOUND : ErrorCode.DISPLAY_UNAVAILABLE,
        Files.isDirectory(novnc)
            ? "no such file of noVNC's"
            : "noVNC is not installed here (Debian package novnc, or procgate.live-view.novnc)");
  }

  private void handle(RoutingContext context) {
    HttpServerRequest request = context.request();
    String rest = context.normalizedPath().substring(PREFIX.length());
    boolean socket = rest.endsWith(SOCKET);
    String id = socket ? rest.substring(0, rest.length() - SOCKET.length()) : rest;
    if (id.isEmpty() || id.contains("/")) {
      errors.write(context.response(), ErrorCode.NOT_FOUND, "no such live view path");
      return;
    }
    Optional<CdpTokens.Grant> grant =
        tokens.grant(request.getParam("jwt")).filter(g -> g.sessionId().equals(id));
    Optional<Session> session = grant.flatMap(g -> sessions.find(id));
    if (session.isEmpty()) {
      context.response().putHeader("WWW-Authenticate", "Bearer");
      errors.write(
          context.response(),
          ErrorCode.UNAUTHORIZED,
          "a valid token of this session is required in the jwt query parameter");
      return;
    }
    Optional<LiveView> view = session.get().browser().flatMap(Browser::liveView);
    if (view.isEmpty()) {
      errors.write(
          context.response(),
          ErrorCode.NO_DISPLAY,
          session.get().spec().headless()
              ? "the session is headless: create it with headless false for a live view"
              : "the session's display has not started yet");
      return;
    }
    if (!socket) {
      if (request.method() != HttpMethod.GET) {
        errors.write(context.response(), ErrorCode.METHOD_NOT_ALLOWED, "the live view is a GET");
        return;
      }
      context
          .response()
          .putHeader("Content-Type", "text/html; charset=utf-8")
          .putHeader("Cache-Control", "no-store")
          .putHeader("Referrer-Policy", "no-referrer")
          .putHeader("X-Content-Type-Options", "nosniff")
          .end(page);
      return;
    }
    if (!"websocket".equalsIgnoreCase(request.getHeader("Upgrade"))) {
      errors.write(context.response(), ErrorCode.INVALID_REQUEST, "not a WebSocket handshake");
      return;
    }
    relay(context, session.get(), view.get(), grant.get().viewOnly());
  }

  private void relay(RoutingContext context, Session session, LiveView view, boolean viewOnly) {
    HttpServerRequest request = context.request();
    request.pause();
    Context here = Vertx.currentContext();
    Session.Use use = session.use();
    view.port(viewOnly)
        .whenComplete(
            (port, failure) ->
                here.runOnContext(
                    ignored -> {
                      if (failure != null) {
                        use.close();
                        refuse(context, failure);
                        return;
                      }
                      net.connect(port, view.host())
                          .onFailure(
                              refused -> {
                                use.close();
                                errors.write(
                                    context.response(),
                                    ErrorCode.DISPLAY_FAILED,
                                    "the screen's VNC server did not take the connection; retry");
                              })
                          .onSuccess(vnc -> upgrade(request, vnc, use));
                    }));
  }

  private void upgrade(HttpServerRequest request, NetSocket vnc, Session.Use use) {
    request
        .toWebSocket()
        .onFailure(
            failure -> {
              LOG.debugf("live view upgrade failed: %s", failure.getMessage());
              vnc.close();
              use.close();
            })
        .onSuccess(
            viewer -> {
              AtomicBoolean ended = new AtomicBoolean();
              Runnable end =
                  () -> {
                    if (ended.compareAndSet(false, true)) {
                      viewer.close();
                      vnc.close();
                      use.close();
                    }
                  };
              viewer.closeHandler(closed -> end.run());
              vnc.closeHandler(closed -> end.run());
              viewer.exceptionHandler(broken -> end.run());
              vnc.exceptionHandler(broken -> end.run());
              // Pipes pause the side whose other side's queue is full.
              viewer.pipeTo(vnc);
              vnc.pipeTo(viewer);
            });
  }

  private void refuse(RoutingContext context, Throwable failure) {
    Throwable cause =
        failure instanceof CompletionException && failure.getCause() != null
            ? failure.getCause()
            : failure;
    if (cause instanceof DisplayException display) {
      errors.write(context.response(), ErrorCode.of(display.kind()), display.getMessage());
    } else {
      errors.write(
          context.response(),
          ErrorCode.DISPLAY_FAILED,
          "the screen's VNC server did not start: " + cause.getMessage());
    }
  }
}
