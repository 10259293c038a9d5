package io.procgate.server.cdp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.procgate.server.config.ProcgateConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import java.util.function.Function;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The tokens of {@code cdp_ws_url}: JSON Web Tokens (HS256, as Kernel's) naming one session, with
 * an expiry, signed with a key the server draws at start and never shows. A token is no use for
 * another session, after its expiry, after its session is gone (ids are never reused), or after a
 * restart of the server; and it is never the API key.
 *
 * <p>On Kubernetes each session has a key of its own instead, derived from the control plane's
 * ({@link SessionKeys}): every replica of the control plane mints and checks a session's tokens
 * with it, and the session's pod, which is given only its own, checks them too.
 */
@ApplicationScoped
public class CdpTokens {
  private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();
  private static final String HEADER = encode("{\"alg\":\"HS256\",\"typ\":\"JWT\"}");
  private static final String VIEW_SCOPE = "live-view:read";

  private final Function<String, SecretKeySpec> keyOfSession;
  private final Duration ttl;
  private final ObjectMapper json;
  private final Clock clock;

  @Inject
  CdpTokens(ProcgateConfig config, ObjectMapper json) {
    this(keys(config), config.browser().cdpTokenTtl(), json, Clock.systemUTC());
  }

  /** Tokens signed with {@code secret}, whatever their session. */
  CdpTokens(byte[] secret, Duration ttl, ObjectMapper json, Clock clock) {
    this(constant(secret), ttl, json, clock);
  }

  private CdpTokens(
      Function<String, SecretKeySpec> keyOfSession, Duration ttl, ObjectMapper json, Clock clock) {
    this.keyOfSession = keyOfSession;
    this.ttl = ttl;
    this.json = json;
    this.clock = clock;
  }

  /** A control plane's tokens: each session's signed with the key derived for it. */
  static CdpTokens perSession(SessionKeys keys, Duration ttl, ObjectMapper json) {
    return new CdpTokens(perSession(keys), ttl, json, Clock.systemUTC());
  }

  private static Function<String, SecretKeySpec> perSession(SessionKeys keys) {
    return session -> hmacKey(keys.tokenKey(session).getBytes(StandardCharsets.UTF_8));
  }

  private static Function<String, SecretKeySpec> keys(ProcgateConfig config) {
    if (config.mode() == ProcgateConfig.Mode.CONTROL_PLANE) {
      return perSession(SessionKeys.of(config));
    }
    byte[] secret =
        config
            .pod()
            .tokenKey()
            .map(key -> key.getBytes(StandardCharsets.UTF_8))
            .orElseGet(
                () -> {
                  byte[] drawn = new byte[32];
                  new SecureRandom().nextBytes(drawn);
                  return drawn;
                });
    return constant(secret);
  }

  private static Function<String, SecretKeySpec> constant(byte[] secret) {
    SecretKeySpec key = hmacKey(secret);
    return session -> key;
  }

  private static SecretKeySpec hmacKey(byte[] secret) {
    return new SecretKeySpec(secret, "HmacSHA256");
  }

  /** What a token admits to: all of its session's, or only the sight of its screen. */
  public record Grant(String sessionId, boolean viewOnly) {}

  /** A fresh token for {@code sessionId}. */
  public String mint(String sessionId) {
    return mint(sessionId, "");
  }

  /**
   * A fresh token that admits to nothing but a read-only live view of {@code sessionId}'s screen:
   * no CDP, no call, no input.
   */
  public String mintViewOnly(String sessionId) {
    return mint(sessionId, ",\"scope\":\"" + VIEW_SCOPE + "\"");
  }

  private String mint(String sessionId, String scope) {
    long now = clock.instant().getEpochSecond();
    String claims =
        "{\"sub\":\""
            + sessionId
            + "\",\"iat\":"
            + now
            + ",\"exp\":"
            + (now + ttl.toSeconds())
            + scope
            + "}";
    String signed = HEADER + "." + encode(claims);
    return signed + "." + BASE64URL.encodeToString(sign(sessionId, signed));
  }

  /**
   * The session a token names, if it is one of ours, has not expired, and admits to all of the
   * session's.
   */
  public Optional<String> verify(String token) {
    return grant(token).filter(grant -> !grant.viewOnly()).map(Grant::sessionId);
  }

  /** What a token admits to, if it is one of ours and has not expired. */
  public Optional<Grant> grant(String token) {
    if (token == null || token.length() > 1024) {
      return Optional.empty();
    }
    int second = token.lastIndexOf('.');
    if (second < 0 || !token.startsWith(HEADER + ".")) {
      return Optional.empty();
    }
    try {
      byte[] signature = Base64.getUrlDecoder().decode(token.substring(second + 1));
      // The claims are read before the signature is checked only to learn whose key checks it;
      // nothing of them is believed until it has been.
      JsonNode claims =
          json.readTree(
              Base64.getUrlDecoder().decode(token.substring(HEADER.length() + 1, second)));
      String session = claims.path("sub").asText();
      if (session.isEmpty()
          || !MessageDigest.isEqual(signature, sign(session, token.substring(0, second)))
          || claims.path("exp").asLong(0) <= clock.instant().getEpochSecond()) {
        return Optional.empty();
      }
      JsonNode scope = claims.path("scope");
      if (!scope.isMissingNode() && !VIEW_SCOPE.equals(scope.asText())) {
        return Optional.empty();
      }
      return Optional.of(new Grant(session, !scope.isMissingNode()));
    } catch (Exception malformed) {
      return Optional.empty();
    }
  }

  private byte[] sign(String sessionId, String content) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(keyOfSession.apply(sessionId));
      return mac.doFinal(content.getBytes(StandardCharsets.US_ASCII));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String encode(String text) {
    return BASE64URL.encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }
}
