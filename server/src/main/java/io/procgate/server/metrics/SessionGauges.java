package io.procgate.server.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.procgate.core.browser.Browser;
import io.procgate.core.browser.BrowserState;
import io.procgate.server.cdp.CdpProxy;
import io.procgate.server.session.Session;
import io.procgate.server.session.SessionRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Locale;
import java.util.Optional;

/**
 * What the server holds, read when it is scraped: reading a session this way is not activity, so a
 * scrape never keeps one from expiring.
 */
@ApplicationScoped
public class SessionGauges implements MeterBinder {
  private final SessionRegistry sessions;
  private final CdpProxy cdp;

  SessionGauges(SessionRegistry sessions, CdpProxy cdp) {
    this.sessions = sessions;
    this.cdp = cdp;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    Gauge.builder("procgate.sessions", sessions, held -> held.all().size())
        .description("Sessions the server holds")
        .register(registry);
    for (BrowserState state : BrowserState.values()) {
      Gauge.builder("procgate.browsers", sessions, held -> countIn(held, state))
          .description("Sessions' browsers, by state")
          .tag("state", state.name().toLowerCase(Locale.ROOT))
          .register(registry);
    }
    Gauge.builder(
            "procgate.processes.running",
            sessions,
            held -> held.all().stream().mapToInt(session -> session.processes().running()).sum())
        .description("Processes of exec and spawn running now, in every session")
        .register(registry);
    Gauge.builder("procgate.cdp.connections", cdp, CdpProxy::openConnections)
        .description("CDP connections relayed now")
        .register(registry);
    FunctionCounter.builder("procgate.browser.restarts", sessions, SessionRegistry::browserRestarts)
        .description("Browsers restarted after dying on their own")
        .register(registry);
  }

  private static long countIn(SessionRegistry sessions, BrowserState state) {
    return sessions.all().stream()
        .map(Session::browser)
        .flatMap(Optional::stream)
        .map(Browser::state)
        .filter(state::equals)
        .count();
  }
}
