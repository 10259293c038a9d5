package io.procgate.server.cdp;

import io.procgate.server.config.ProcgateConfig;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The keys of one session's pod, derived from the control plane's key: the pod's API key, which
 * only the control plane presents to it, and the key of the session's tokens. Each is an HMAC of
 * the session id under the control plane's key, so every replica computes the same, none is stored,
 * and a pod that gives its own away gives away nothing of another session's.
 */
public final class SessionKeys {
  static final int MIN_KEY_LENGTH = 32;

  private final SecretKeySpec key;

  private SessionKeys(String key) {
    this.key = new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
  }

  /** The keys under {@code procgate.control-plane.key}, which must be set and long enough. */
  public static SessionKeys of(ProcgateConfig config) {
    String key =
        config
            .controlPlane()
            .key()
            .map(String::strip)
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "procgate.mode=control-plane needs procgate.control-plane.key, the secret"
                            + " every replica shares"));
    return ofKey(key);
  }

  static SessionKeys ofKey(String key) {
    if (key.length() < MIN_KEY_LENGTH) {
      throw new IllegalStateException(
          "procgate.control-plane.key must be at least " + MIN_KEY_LENGTH + " characters");
    }
    return new SessionKeys(key);
  }

  /** The API key of the session's pod. */
  public String apiKey(String sessionId) {
    return derive("api", sessionId);
  }

  /** The key the session's tokens are signed with. */
  public String tokenKey(String sessionId) {
    return derive("jwt", sessionId);
  }

  private String derive(String purpose, String sessionId) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      return HexFormat.of()
          .formatHex(mac.doFinal((purpose + ":" + sessionId).getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
