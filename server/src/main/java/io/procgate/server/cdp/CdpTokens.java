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
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The tokens of {@code cdp_ws_url}: JSON Web Tokens (HS256, as Kernel's) naming one session, with
 * an expiry, signed with a key the server draws at start and never shows. A token is no use for
 * another session, after its expiry, after its session is gone (ids are never reused), or after a
 * restart of the server; and it is never the API key.
 */
@ApplicationScoped
public class CdpTokens {
  private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();
  private static final String HEADER = encode("{\"alg\":\"HS256\",\"typ\":\"JWT\"}");

  private final SecretKeySpec key;
  private final Duration ttl;
  private final ObjectMapper json;
  private final Clock clock;

  @Inject
  CdpTokens(ProcgateConfig config, ObjectMapper json) {
    this(config.browser().cdpTokenTtl(), json, Clock.systemUTC());
  }

  CdpTokens(Duration ttl, ObjectMapper json, Clock clock) {
    byte[] secret = new byte[32];
    new SecureRandom().nextBytes(secret);
    this.key = new SecretKeySpec(secret, "HmacSHA256");
    this.ttl = ttl;
    this.json = json;
    this.clock = clock;
  }

  /** A fresh token for {@code sessionId}. */
  public String mint(String sessionId) {
    long now = clock.instant().getEpochSecond();
    String claims =
        "{\"sub\":\""
            + sessionId
            + "\",\"iat\":"
            + now
            + ",\"exp\":"
            + (now + ttl.toSeconds())
            + "}";
    String signed = HEADER + "." + encode(claims);
    return signed + "." + BASE64URL.encodeToString(sign(signed));
  }

  /** The session a token names, if it is one of ours and has not expired. */
  public Optional<String> verify(String token) {
    if (token == null || token.length() > 1024) {
      return Optional.empty();
    }
    int second = token.lastIndexOf('.');
    if (second < 0 || !token.startsWith(HEADER + ".")) {
      return Optional.empty();
    }
    byte[] signature;
    try {
      signature = Base64.getUrlDecoder().decode(token.substring(second + 1));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    if (!MessageDigest.isEqual(signature, sign(token.substring(0, second)))) {
      return Optional.empty();
    }
    try {
      JsonNode claims =
          json.readTree(
              Base64.getUrlDecoder().decode(token.substring(HEADER.length() + 1, second)));
      if (claims.path("exp").asLong(0) <= clock.instant().getEpochSecond()) {
        return Optional.empty();
      }
      return Optional.of(claims.path("sub").asText());
    } catch (Exception malformed) {
      return Optional.empty();
    }
  }

  private byte[] sign(String content) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      return mac.doFinal(content.getBytes(StandardCharsets.US_ASCII));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String encode(String text) {
    return BASE64URL.encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }
}
