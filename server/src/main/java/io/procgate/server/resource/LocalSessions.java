package io.procgate.server.resource;

import io.procgate.server.api.model.Browser;
import io.procgate.server.api.model.BrowserCreateRequest;
import io.procgate.server.cdp.CdpUrls;
import io.procgate.server.config.ProcgateConfig;
import io.procgate.server.mapping.BrowserMapper;
import io.procgate.server.session.BrowserSessions;
import io.procgate.server.session.Session;
import io.procgate.server.session.SessionRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Typed;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** The sessions this server runs itself. */
@ApplicationScoped
@Typed(LocalSessions.class)
class LocalSessions implements BrowserSessions {
  private final SessionRegistry sessions;
  private final CdpUrls urls;
  private final int defaultTimeoutSeconds;
  private final boolean defaultHeadless;

  LocalSessions(SessionRegistry sessions, CdpUrls urls, ProcgateConfig config) {
    this.sessions = sessions;
    this.urls = urls;
    this.defaultTimeoutSeconds = config.sessions().defaultTimeoutSeconds();
    this.defaultHeadless = config.browser().defaultHeadless();
  }

  @Override
  public CompletionStage<Browser> create(BrowserCreateRequest request, String host) {
    return sessions
        .create(BrowserMapper.toSpec(request, defaultTimeoutSeconds, defaultHeadless))
        .thenApply(session -> dto(session, host));
  }

  @Override
  public CompletionStage<Browser> get(String idOrName, String host) {
    return CompletableFuture.completedFuture(dto(sessions.require(idOrName), host));
  }

  @Override
  public CompletionStage<Page> list(int offset, int limit, String host) {
    SessionRegistry.Page page = sessions.list(offset, limit);
    return CompletableFuture.completedFuture(
        new Page(
            page.sessions().stream().map(session -> dto(session, host)).toList(),
            page.hasMore(),
            page.nextOffset()));
  }

  @Override
  public CompletionStage<Void> delete(String idOrName) {
    return sessions.delete(idOrName);
  }

  private Browser dto(Session session, String host) {
    Browser dto =
        BrowserMapper.toDto(session, urls.browser(session, host), urls.base(session.id(), host));
    if (session.browser().isPresent() && !session.spec().headless()) {
      dto.browserLiveViewUrl(urls.liveView(session.id(), host, false))
          .liveViewReadOnlyUrl(urls.liveView(session.id(), host, true));
    }
    return dto;
  }
}
