package io.procgate.server.session;

import java.util.Map;
import java.util.Optional;

/** What a new session is created with, already validated against the API's schema. */
public record SessionSpec(
    Optional<String> name,
    boolean headless,
    boolean stealth,
    int timeoutSeconds,
    Optional<String> startUrl,
    Optional<Viewport> viewport,
    Map<String, String> env) {

  public SessionSpec {
    env = Map.copyOf(env);
  }

  /** A browser window size. */
  public record Viewport(int width, int height, Integer refreshRate) {}
}
