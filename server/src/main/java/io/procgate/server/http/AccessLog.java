package io.procgate.server.http;

import io.procgate.server.config.ProcgateConfig;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * A line per request in the Combined Log Format, once its response has ended, in the category
 * {@code io.procgate.access}. Credentials never reach it: the user field is always {@code -}, no
 * header but Referer and User-Agent is logged, and the values of query parameters that carry
 * credentials (the CDP URL's {@code jwt} above all) are replaced, in the request line and in the
 * Referer alike.
 */
@ApplicationScoped
public class AccessLog {
  private static final Logger LOG = Logger.getLogger("io.procgate.access");
  // Before everything else of ours, so that refused requests are logged too.
  private static final int ORDER = -20;
  static final String REDACTED = "REDACTED";
  private static final Set<String> CREDENTIALS =
      Set.of("jwt", "token", "access_token", "api_key", "apikey", "key", "password", "secret");
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ENGLISH);

  private final boolean enabled;

  AccessLog(ProcgateConfig config) {
    this.enabled = config.log().access();
  }

  void install(@Observes Router router) {
    if (enabled) {
      router.route().order(ORDER).handler(this::watch);
    }
  }

  private void watch(RoutingContext context) {
    context.addEndHandler(ended -> LOG.info(line(context.request(), context.response())));
    context.next();
  }

  static String line(HttpServerRequest request, HttpServerResponse response) {
    long bytes = response.bytesWritten();
    return (request.remoteAddress() == null ? "-" : request.remoteAddress().hostAddress())
        + " - - ["
        + TIME.format(ZonedDateTime.now())
        + "] \""
        + quoted(request.method().name() + " " + redact(request.uri()) + " " + version(request))
        + "\" "
        + response.getStatusCode()
        + " "
        + (bytes == 0 ? "-" : Long.toString(bytes))
        + " \""
        + quoted(orDash(redact(request.getHeader("Referer"))))
        + "\" \""
        + quoted(orDash(request.getHeader("User-Agent")))
        + "\"";
  }

  /** {@code uri} with the value of every credential-carrying query parameter replaced. */
  static String redact(String uri) {
    if (uri == null) {
      return null;
    }
    int query = uri.indexOf('?');
    if (query < 0) {
      return uri;
    }
    StringBuilder out = new StringBuilder(uri.length()).append(uri, 0, query + 1);
    String[] parameters = uri.substring(query + 1).split("&", -1);
    for (int i = 0; i < parameters.length; i++) {
      if (i > 0) {
        out.append('&');
      }
      String parameter = parameters[i];
      int equals = parameter.indexOf('=');
      String name = equals < 0 ? parameter : parameter.substring(0, equals);
      if (equals >= 0 && carriesCredentials(name)) {
        out.append(name).append('=').append(REDACTED);
      } else {
        out.append(parameter);
      }
    }
    return out.toString();
  }

  private static boolean carriesCredentials(String name) {
    String decoded;
    try {
      decoded = URLDecoder.decode(name, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException malformed) {
      // What the server makes of it is unknown: keep its value out.
      return true;
    }
    String lower = decoded.toLowerCase(Locale.ROOT);
    return CREDENTIALS.contains(lower) || lower.endsWith("token") || lower.endsWith("secret");
  }

  private static String version(HttpServerRequest request) {
    return switch (request.version()) {
      case HTTP_1_0 -> "HTTP/1.0";
      case HTTP_1_1 -> "HTTP/1.1";
      case HTTP_2 -> "HTTP/2.0";
    };
  }

  private static String orDash(String value) {
    return value == null || value.isEmpty() ? "-" : value;
  }

  /** Escapes what could end the field or forge a line: quotes, backslashes, control characters. */
  private static String quoted(String value) {
    StringBuilder out = new StringBuilder(value.length());
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20 || c == 0x7f) {
        out.append(String.format("\\x%02x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
