package io.procgate.core.browser;

import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where a running browser answers the DevTools protocol: on the loopback of its session's network.
 *
 * @param port its debugging port
 * @param browserPath the WebSocket path of its browser target, {@code /devtools/browser/<id>}
 * @param bridge where the server reaches it when that network is not the server's own: a Unix
 *     socket, in a directory of the server's alone, bridged to the port inside the session's
 *     namespace
 */
public record DevToolsEndpoint(int port, String browserPath, Optional<Path> bridge) {
  public static final String HOST = "127.0.0.1";

  /** Its browser target, as a process of its session's network reaches it. */
  public URI browserUri() {
    return URI.create("ws://" + HOST + ":" + port + browserPath);
  }
}
