package io.procgate.server.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The API's own document, the {@code api-spec} module's file byte for byte, at {@value #SPEC}, and
 * Swagger UI showing it at {@value #UI}. Neither needs a token: the document holds no secret, and
 * every call the UI makes still does.
 */
@ApplicationScoped
public class ApiDocs {
  static final String SPEC = "/openapi.yaml";
  static final String UI = "/docs/";

  private static final String SPEC_RESOURCE = "openapi/procgate.yaml";
  private static final String INITIALIZER = "procgate-docs/swagger-initializer.js";
  private static final String WEBJAR = "META-INF/resources/webjars/swagger-ui/";
  private static final String WEBJAR_VERSION =
      "META-INF/maven/org.webjars/swagger-ui/pom.properties";

  /** Whether {@code path} is one of the documentation's, served without a token. */
  static boolean isPublic(String path) {
    return path.equals(SPEC) || path.startsWith(UI) || path.equals("/docs");
  }

  void install(@Observes Router router) {
    Buffer spec = Buffer.buffer(resource(SPEC_RESOURCE));
    Buffer initializer = Buffer.buffer(resource(INITIALIZER));
    router
        .get(SPEC)
        .handler(
            context -> context.response().putHeader("Content-Type", "application/yaml").end(spec));
    // Vert.x matches /docs/ here too: only the bare path is sent on to the UI's own.
    router
        .get("/docs")
        .handler(
            context -> {
              if (context.request().path().equals("/docs")) {
                context.response().setStatusCode(301).putHeader("Location", UI).end();
              } else {
                context.next();
              }
            });
    router
        .get(UI + "swagger-initializer.js")
        .handler(
            context ->
                context
                    .response()
                    .putHeader("Content-Type", "text/javascript; charset=utf-8")
                    .end(initializer));
    router.get(UI + "*").handler(StaticHandler.create(WEBJAR + webjarVersion()));
  }

  private static String webjarVersion() {
    Properties properties = new Properties();
    try (InputStream in = open(WEBJAR_VERSION)) {
      properties.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return properties.getProperty("version");
  }

  private static byte[] resource(String name) {
    try (InputStream in = open(name)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static InputStream open(String name) throws IOException {
    InputStream in = ApiDocs.class.getClassLoader().getResourceAsStream(name);
    if (in == null) {
      throw new IOException("missing from the server's class path: " + name);
    }
    return in;
  }
}
