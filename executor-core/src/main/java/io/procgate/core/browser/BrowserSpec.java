package io.procgate.core.browser;

import java.util.Optional;

/**
 * What one session asks of its browser.
 *
 * @param headless without a display; with one, on a private X display of its own
 * @param stealth without the marks of automation: no {@code HeadlessChrome} in the user agent,
 *     {@code navigator.webdriver} false
 * @param startUrl what the first tab opens
 * @param width the window's width in pixels
 * @param height the window's height in pixels
 */
public record BrowserSpec(
    boolean headless, boolean stealth, Optional<String> startUrl, int width, int height) {

  public BrowserSpec {
    if (width < 1 || height < 1) {
      throw new IllegalArgumentException("window size out of range: " + width + "x" + height);
    }
  }
}
