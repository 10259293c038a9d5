package io.procgate.server.session;

import io.procgate.server.api.model.Browser;
import io.procgate.server.api.model.BrowserCreateRequest;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The sessions the API's {@code /browsers} answers for: this server's own, or, on a control plane,
 * those of its pods. {@code host} is the {@code Host} of the request being answered, which the
 * session's URLs are built from.
 */
public interface BrowserSessions {
  /** One page of sessions; {@code nextOffset} is 0 on the last page, as Kernel's SDKs expect. */
  record Page(List<Browser> sessions, boolean hasMore, int nextOffset) {}

  /** Completes once the session's browser answers over CDP. */
  CompletionStage<Browser> create(BrowserCreateRequest request, String host);

  CompletionStage<Browser> get(String idOrName, String host);

  CompletionStage<Page> list(int offset, int limit, String host);

  /** Completes once everything of the session is gone. */
  CompletionStage<Void> delete(String idOrName);
}
