package io.procgate.server.session;

import io.procgate.core.browser.BrowserSpec;
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

  /** Kernel's window size when a session asks for none. */
  static final Viewport DEFAULT_VIEWPORT = new Viewport(1920, 1080, null);

  public SessionSpec {
    env = Map.copyOf(env);
  }

  /** A browser window size. */
  public record Viewport(int width, int height, Integer refreshRate) {}

  BrowserSpec browserSpec() {
    Viewport window = viewport.orElse(DEFAULT_VIEWPORT);
    return new BrowserSpec(headless, stealth, startUrl, window.width(), window.height());
  }
}
