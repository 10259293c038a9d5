package io.procgate.core.browser;

import java.net.URI;

/**
 * Where a running browser answers the DevTools protocol: on loopback only.
 *
 * @param port its debugging port
 * @param browserPath the WebSocket path of its browser target, {@code /devtools/browser/<id>}
 */
public record DevToolsEndpoint(int port, String browserPath) {
  public static final String HOST = "127.0.0.1";

  public URI browserUri() {
    return URI.create("ws://" + HOST + ":" + port + browserPath);
  }
}
