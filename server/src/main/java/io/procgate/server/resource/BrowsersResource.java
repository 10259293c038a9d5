package io.procgate.server.resource;

import io.procgate.server.api.BrowsersApi;
import io.procgate.server.api.model.Browser;
import io.procgate.server.api.model.BrowserCreateRequest;
import io.procgate.server.cdp.CdpUrls;
import io.procgate.server.config.ProcgateConfig;
import io.procgate.server.mapping.BrowserMapper;
import io.procgate.server.session.Session;
import io.procgate.server.session.SessionRegistry;
import io.procgate.server.validation.Validated;
import io.smallrye.common.annotation.Blocking;
import io.vertx.core.http.HttpServerRequest;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jboss.resteasy.reactive.RestResponse;

/** Browser sessions. */
@Validated
public class BrowsersResource implements BrowsersApi {
  private final SessionRegistry sessions;
  private final CdpUrls cdp;
  private final HttpServerRequest request;
  private final int defaultTimeoutSeconds;
  private final boolean defaultHeadless;

  BrowsersResource(
      SessionRegistry sessions, CdpUrls cdp, HttpServerRequest request, ProcgateConfig config) {
    this.sessions = sessions;
    this.cdp = cdp;
    this.request = request;
    this.defaultTimeoutSeconds = config.sessions().defaultTimeoutSeconds();
    this.defaultHeadless = config.browser().defaultHeadless();
  }

  /** Creating a session's directories is file system work: on a worker thread, not an I/O one. */
  @Override
  @Blocking
  public CompletionStage<Browser> createBrowser(BrowserCreateRequest body) {
    String host = request.host();
    return sessions
        .create(BrowserMapper.toSpec(body, defaultTimeoutSeconds, defaultHeadless))
        .thenApply(session -> BrowserMapper.toDto(session, cdp.browser(session, host)));
  }

  @Override
  public CompletionStage<Void> deleteBrowser(String idOrName) {
    return sessions.delete(idOrName);
  }

  @Override
  public CompletionStage<Browser> getBrowser(String idOrName) {
    Session session = sessions.require(idOrName);
    return CompletableFuture.completedFuture(
        BrowserMapper.toDto(session, cdp.browser(session, request.host())));
  }

  @Override
  public CompletionStage<RestResponse<List<Browser>>> listBrowsers(Integer offset, Integer limit) {
    SessionRegistry.Page page = sessions.list(offset, limit);
    String host = request.host();
    return CompletableFuture.completedFuture(
        RestResponse.ResponseBuilder.ok(
                page.sessions().stream()
                    .map(session -> BrowserMapper.toDto(session, cdp.browser(session, host)))
                    .toList())
            .header("X-Has-More", page.hasMore())
            .header("X-Next-Offset", page.nextOffset())
            .build());
  }
}
