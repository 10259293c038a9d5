package io.procgate.server.resource;

import io.procgate.server.api.BrowsersApi;
import io.procgate.server.api.model.Browser;
import io.procgate.server.api.model.BrowserCreateRequest;
import io.procgate.server.config.ProcgateConfig;
import io.procgate.server.session.SessionRegistry;
import java.util.List;
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
  public Browser createBrowser(BrowserCreateRequest request) {
    return BrowserMapper.toDto(
        sessions.create(BrowserMapper.toSpec(request, defaultTimeoutSeconds)));
  }

  @Override
  public void deleteBrowser(String idOrName) {
    sessions.delete(idOrName);
  }

  @Override
  public Browser getBrowser(String idOrName) {
    return BrowserMapper.toDto(sessions.require(idOrName));
  }

  @Override
  public RestResponse<List<Browser>> listBrowsers(Integer offset, Integer limit) {
    SessionRegistry.Page page = sessions.list(offset, limit);
    return RestResponse.ResponseBuilder.ok(
            page.sessions().stream().map(BrowserMapper::toDto).toList())
        .header("X-Has-More", page.hasMore())
        .header("X-Next-Offset", page.nextOffset())
        .build();
  }
}
