package io.procgate.server.resource;

import io.procgate.core.browser.Browser;
import io.procgate.server.error.ApiException;
import io.procgate.server.error.ErrorCode;
import io.procgate.server.session.Session;
import java.util.Optional;
import java.util.function.Function;

/** What a headful session's display offers, or the 409 that says why it has none. */
final class SessionDisplay {
  private SessionDisplay() {}

  /** {@code part} of the session's display, such as its screen or its recordings. */
  static <T> T require(Session session, Function<Browser, Optional<T>> part) {
    Optional<Browser> browser = session.browser();
    if (browser.isEmpty()) {
      throw new ApiException(ErrorCode.NO_DISPLAY, "the session has no browser, so no screen");
    }
    return part.apply(browser.get())
        .orElseThrow(
            () ->
                new ApiException(
                    ErrorCode.NO_DISPLAY,
                    session.spec().headless()
                        ? "the session is headless: create it with headless false for a screen"
                        : "the session's display has not started yet"));
  }
}
