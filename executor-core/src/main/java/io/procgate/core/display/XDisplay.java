package io.procgate.core.display;

import java.nio.file.Path;
import java.util.Map;

/**
 * An X display and the file holding the cookie it admits clients with: without the cookie, nobody
 * may connect, even to the abstract socket every process of the network namespace can reach.
 *
 * @param name such as {@code :3}
 * @param authority an Xauthority file the display's clients may read
 */
public record XDisplay(String name, Path authority) {
  /** {@code DISPLAY} and {@code XAUTHORITY}, as a client of the display needs them. */
  public Map<String, String> environment() {
    return Map.of("DISPLAY", name, "XAUTHORITY", authority.toString());
  }
}
