package io.procgate.server.resource;

import io.procgate.server.api.BrowsersApi;
import io.procgate.server.api.model.Browser;
import io.procgate.server.api.model.BrowserCreateRequest;
import io.procgate.server.session.BrowserSessions;
import io.procgate.server.validation.Validated;
import io.smallrye.common.annotation.Blocking;
import io.vertx.core.http.HttpServerRequest;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.jboss.resteasy.reactive.RestResponse;

/** Browser sessions. */
@Validated
public class BrowsersResource implements BrowsersApi {
  private final BrowserSessions sessions;
  private final HttpServerRequest request;

  BrowsersResource(BrowserSessions sessions, HttpServerRequest request) {
    this.sessions = sessions;
    this.request = request;
  }

  /** Creating a session's directories is file system work: on a worker thread, not an I/O one. */
  @Override
  @Blocking
  public CompletionStage<Browser> createBrowser(BrowserCreateRequest body) {
    return sessions.create(body, request.host());
  }

  @Override
  public CompletionStage<Void> deleteBrowser(String idOrName) {
    return sessions.delete(idOrName);
  }

  @Override
  public CompletionStage<Browser> getBrowser(String idOrName) {
    return sessions.get(idOrName, request.host());
  }

  @Override
  public CompletionStage<RestResponse<List<Browser>>> listBrowsers(Integer offset, Integer limit) {
    return sessions
        .list(offset, limit, request.host())
        .thenApply(
            page ->
                RestResponse.ResponseBuilder.ok(page.sessions())
                    .header("X-Has-More", page.hasMore())
                    .header("X-Next-Offset", page.nextOffset())
                    .build());
  }
}
