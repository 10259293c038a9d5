package io.procgate.server.cdp;

import io.procgate.server.config.ProcgateConfig;
import io.procgate.server.session.Session;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.util.Optional;

/**
 * The URLs of a session's CDP endpoint on this server: {@code ws://<host>/cdp/<session>?jwt=...},
 * with the scheme and host of the configured public URL, else of the request being answered.
 */
@ApplicationScoped
public class CdpUrls {
  static final String PREFIX = "/cdp/";

  private final Optional<URI> publicUrl;
  private final CdpTokens tokens;

  CdpUrls(ProcgateConfig config, CdpTokens tokens) {
    this.publicUrl = config.publicUrl();
    this.tokens = tokens;
  }

  /**
   * The session's {@code cdp_ws_url}, with a fresh token; empty when it has no browser.
   *
   * @param requestHost the {@code Host} of the request being answered
   */
  public String browser(Session session, String requestHost) {
    return session.browser().isEmpty() ? "" : browser(session.id(), requestHost);
  }

  /** The {@code cdp_ws_url} of the session {@code sessionId}, with a fresh token. */
  public String browser(String sessionId, String requestHost) {
    return origin(requestHost) + PREFIX + sessionId + "?jwt=" + tokens.mint(sessionId);
  }

  /** The URL of one of the browser's targets, {@code path} such as {@code /devtools/page/<id>}. */
  String target(Session session, String requestHost, String path) {
    return origin(requestHost) + PREFIX + session.id() + path + "?jwt=" + tokens.mint(session.id());
  }

  /**
   * The session's {@code base_url}: its calls, on this server, where its token alone admits them.
   */
  public String base(String sessionId, String requestHost) {
    return origin(requestHost, "https", "http") + "/browsers/" + sessionId;
  }

  /**
   * The session's live view page, its token admitting to all of the session's or to sight alone.
   */
  public String liveView(String sessionId, String requestHost, boolean readOnly) {
    return origin(requestHost, "https", "http")
        + "/live/"
        + sessionId
        + "?jwt="
        + (readOnly ? tokens.mintViewOnly(sessionId) : tokens.mint(sessionId));
  }

  private String origin(String requestHost) {
    return origin(requestHost, "wss", "ws");
  }

  private String origin(String requestHost, String secure, String plain) {
    if (publicUrl.isPresent()) {
      URI url = publicUrl.get();
      return ("https".equalsIgnoreCase(url.getScheme()) ? secure : plain)
          + "://"
          + url.getRawAuthority();
    }
    return plain + "://" + (requestHost == null ? "localhost" : requestHost);
  }
}
