package io.procgate.server.http;

import io.procgate.server.cdp.CdpTokens;
import io.procgate.server.config.ProcgateConfig;
import io.procgate.server.error.ApiErrors;
import io.procgate.server.error.ErrorCode;
import io.procgate.server.live.LiveViews;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * The Vert.x routes in front of the API, so that even requests JAX-RS never sees are answered with
 * the {@code Error} JSON: authentication first, then the body size limit, and a failure handler for
 * anything that goes wrong on the way. Quarkus's own limit ({@code
 * quarkus.http.limits.max-body-size}, set to the larger upload limit) stays as a backstop.
 */
@ApplicationScoped
public class HttpFront {
  private static final Logger LOG = Logger.getLogger(HttpFront.class);
  // Before Quarkus's own upload limit (-2), after its access log and headers (MIN_VALUE).
  private static final int ORDER_AUTHENTICATE = -10;
  private static final int ORDER_BODY = -9;
  private static final String CDP = "/cdp/";
  private static final String BROWSERS = "/browsers/";
  // Quarkus's codec reads up to 256 KiB of headers and 64 KiB of request line (see
  // application.properties), so that larger-than-sane requests still reach this JSON answer.
  private static final int MAX_HEADER_BYTES = 32 * 1024;
  private static final int MAX_URI_BYTES = 8 * 1024;

  private final ApiToken token;
  private final CdpTokens tokens;
  private final ApiErrors errors;
  // The routes whose body is a file: they have their own limit, and may be sent chunked.
  private static final Pattern UPLOAD =
      Pattern.compile("/browsers/[^/]+/fs/(write_file|upload|upload_zip)");

  private final long maxBodySize;
  private final long maxUploadSize;

  HttpFront(ApiToken token, CdpTokens tokens, ApiErrors errors, ProcgateConfig config) {
    this.token = token;
    this.tokens = tokens;
    this.errors = errors;
    this.maxBodySize = config.http().maxBodySize().asLongValue();
    this.maxUploadSize = config.files().maxUploadSize().asLongValue();
  }

  void install(@Observes Router router) {
    router.route().order(ORDER_AUTHENTICATE).handler(this::authenticate).failureHandler(this::fail);
    router.route().order(ORDER_BODY).handler(this::limitBody);
  }

  private void authenticate(RoutingContext context) {
    HttpServerRequest request = context.request();
    if (request.uri().length() > MAX_URI_BYTES) {
      UnreadBody.refuseBeforeContinue(context);
      errors.write(
          context.response(),
          ErrorCode.URI_TOO_LONG,
          "the request URI is longer than " + MAX_URI_BYTES + " bytes");
      return;
    }
    long headerBytes = 0;
    for (var header : request.headers()) {
      headerBytes += header.getKey().length() + header.getValue().length() + 4;
    }
    if (headerBytes > MAX_HEADER_BYTES) {
      UnreadBody.refuseBeforeContinue(context);
      errors.write(
          context.response(),
          ErrorCode.HEADERS_TOO_LARGE,
          "the request headers are larger than " + MAX_HEADER_BYTES + " bytes");
      return;
    }
    String path = context.normalizedPath();
    // The CDP endpoints and the live views check their own token, the session's, not the API key.
    if (path.startsWith(CDP) || path.startsWith(LiveViews.PREFIX) || ApiDocs.isPublic(path)) {
      context.next();
      return;
    }
    if (token.accepts(request.getHeader("Authorization")) || carriesSessionToken(context, path)) {
      context.next();
      return;
    }
    context.response().putHeader("WWW-Authenticate", "Bearer");
    errors.write(context.response(), ErrorCode.UNAUTHORIZED, "a valid bearer token is required");
  }

  /**
   * Whether a call below a session ({@code /browsers/<id>/process/...}, not the session itself)
   * carries that session's own token in its {@code jwt} parameter, as Kernel's SDKs send the calls
   * they route to a session's {@code base_url}: it admits that session's calls alone, and only
   * until it expires.
   */
  private boolean carriesSessionToken(RoutingContext context, String path) {
    if (!path.startsWith(BROWSERS)) {
      return false;
    }
    int slash = path.indexOf('/', BROWSERS.length());
    if (slash < 0 || slash == path.length() - 1) {
      return false;
    }
    String jwt = context.request().getParam("jwt");
    return jwt != null
        && tokens.verify(jwt).filter(path.substring(BROWSERS.length(), slash)::equals).isPresent();
  }

  /**
   * Refuses a body larger than the limit before reading any of it. A JSON body must say its length,
   * which could otherwise only be learnt by reading it; an upload may be sent chunked, and is then
   * counted as it arrives.
   */
  private void limitBody(RoutingContext context) {
    HttpServerRequest request = context.request();
    String path = context.normalizedPath();
    // The cheap test first: every exec comes through here.
    boolean upload = path.contains("/fs/") && UPLOAD.matcher(path).matches();
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length == null) {
      if (!upload && request.headers().contains(HttpHeaders.TRANSFER_ENCODING)) {
        errors.write(
            context.response(),
            ErrorCode.LENGTH_REQUIRED,
            "request bodies need a Content-Length header");
        return;
      }
      context.next();
      return;
    }
    long bytes;
    try {
      bytes = Long.parseLong(length.strip());
    } catch (NumberFormatException e) {
      errors.write(context.response(), ErrorCode.INVALID_REQUEST, "Content-Length is not a number");
      return;
    }
    long limit = upload ? maxUploadSize : maxBodySize;
    if (bytes > limit) {
      UnreadBody.refuseBeforeContinue(context);
      errors.write(
          context.response(),
          upload ? ErrorCode.UPLOAD_TOO_LARGE : ErrorCode.PAYLOAD_TOO_LARGE,
          (upload ? "the upload" : "the request body")
              + " is larger than this server's limit of "
              + limit
              + " bytes");
      return;
    }
    context.next();
  }

  private void fail(RoutingContext context) {
    int status = context.statusCode();
    if (status >= 400 && status < 500) {
      errors.write(
          context.response(), ErrorCode.forStatus(status), "the request could not be read");
      return;
    }
    LOG.error("request failed before reaching the API", context.failure());
    errors.write(context.response(), ErrorCode.INTERNAL_ERROR, "internal error");
  }
}
