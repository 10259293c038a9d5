package io.procgate.server.resource;

import io.procgate.server.api.BrowsersApi;
import io.procgate.server.api.model.Browser;
import io.procgate.server.api.model.BrowserCreateRequest;
import io.procgate.server.config.ProcgateConfig;
import io.procgate.server.mapping.BrowserMapper;
import io.procgate.server.session.SessionRegistry;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jboss.resteasy.reactive.RestResponse;

/** Browser sessions. */
public class BrowsersResource implements BrowsersApi {
  private final SessionRegistry sessions;
  private final int defaultTimeoutSeconds;

  BrowsersResource(SessionRegistry sessions, ProcgateConfig config) {
    this.sessions = sessions;
    this.defaultTimeoutSeconds = config.sessions().defaultTimeoutSeconds();
  }

  @Override
  public CompletionStage<Browser> createBrowser(BrowserCreateRequest request) {
    return CompletableFuture.completedFuture(
        BrowserMapper.toDto(sessions.create(BrowserMapper.toSpec(request, defaultTimeoutSeconds))));
  }

  @Override
  public CompletionStage<Void> deleteBrowser(String idOrName) {
    return sessions.delete(idOrName);
  }

  @Override
  public CompletionStage<Browser> getBrowser(String idOrName) {
    return CompletableFuture.completedFuture(BrowserMapper.toDto(sessions.require(idOrName)));
  }

  @Override
  public CompletionStage<RestResponse<List<Browser>>> listBrowsers(Integer offset, Integer limit) {
    SessionRegistry.Page page = sessions.list(offset, limit);
    return CompletableFuture.completedFuture(
        RestResponse.ResponseBuilder.ok(page.sessions().stream().map(BrowserMapper::toDto).toList())
            .header("X-Has-More", page.hasMore())
            .header("X-Next-Offset", page.nextOffset())
            .build());
  }
}
