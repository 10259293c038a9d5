package io.procgate.server.mapping;

import io.procgate.server.api.model.Browser;
import io.procgate.server.api.model.BrowserCreateRequest;
import io.procgate.server.api.model.BrowserUsage;
import io.procgate.server.api.model.BrowserViewport;
import io.procgate.server.session.Session;
import io.procgate.server.session.SessionSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Translates between the browser session DTOs and {@link Session}s. */
public final class BrowserMapper {
  private BrowserMapper() {}

  /** The spec of a new session; a missing body means every default. */
  public static SessionSpec toSpec(
      BrowserCreateRequest request, int defaultTimeoutSeconds, boolean defaultHeadless) {
    BrowserCreateRequest body = request != null ? request : new BrowserCreateRequest();
    return new SessionSpec(
        Optional.ofNullable(body.getName()),
        body.getHeadless() != null ? body.getHeadless() : defaultHeadless,
        Required.value("stealth", body.getStealth()),
        body.getTimeoutSeconds() != null ? body.getTimeoutSeconds() : defaultTimeoutSeconds,
        Optional.ofNullable(body.getStartUrl()),
        Optional.ofNullable(body.getViewport())
            .map(v -> new SessionSpec.Viewport(v.getWidth(), v.getHeight(), v.getRefreshRate())),
        body.getEnv() == null ? Map.of() : Required.map("env", body.getEnv()));
  }

  /**
   * @param cdpUrl the session's {@code cdp_ws_url}, empty when it has no browser
   * @param baseUrl the session's {@code base_url}
   */
  public static Browser toDto(Session session, String cdpUrl, String baseUrl) {
    SessionSpec spec = session.spec();
    return new Browser()
        .sessionId(session.id())
        .name(spec.name().orElse(null))
        .createdAt(session.createdAt().atOffset(ZoneOffset.UTC))
        .headless(spec.headless())
        .stealth(spec.stealth())
        .timeoutSeconds(spec.timeoutSeconds())
        .cdpWsUrl(cdpUrl)
        .webdriverWsUrl("")
        .baseUrl(baseUrl)
        .startUrl(spec.startUrl().orElse(null))
        .viewport(
            spec.viewport()
                .map(
                    v ->
                        new BrowserViewport()
                            .width(v.width())
                            .height(v.height())
                            .refreshRate(v.refreshRate()))
                .orElse(null))
        .workDir(session.workDir().toString())
        .browserState(
            session
                .browser()
                .map(
                    browser ->
                        Browser.BrowserStateEnum.fromValue(
                            browser.state().name().toLowerCase(Locale.ROOT)))
                .orElse(Browser.BrowserStateEnum.NONE))
        .downloadsDir(session.browser().map(browser -> browser.downloads().toString()).orElse(null))
        .usage(usage(session));
  }

  private static BrowserUsage usage(Session session) {
    BrowserUsage usage =
        new BrowserUsage()
            .uptimeMs(Duration.between(session.createdAt(), Instant.now()).toMillis());
    session
        .processes()
        .usage()
        .ifPresent(
            contained ->
                usage.memoryBytes(contained.memoryBytes()).processCount(contained.processes()));
    return usage;
  }
}
