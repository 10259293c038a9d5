package io.procgate.server.http;

import io.procgate.server.config.ProcgateConfig;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import org.jboss.logging.Logger;

/**
 * The bearer token of the API. Only its SHA-256 digest is kept, and a presented token is compared
 * digest to digest with {@link MessageDigest#isEqual}, so the comparison takes the same time
 * whatever the token and whatever its length.
 */
@ApplicationScoped
public class ApiToken {
  private static final Logger LOG = Logger.getLogger(ApiToken.class);
  private static final String BEARER = "bearer ";

  private final byte[] digest;
  private final String generated;

  ApiToken(ProcgateConfig config) {
    String configured =
        config.apiKey().map(String::strip).filter(key -> !key.isEmpty()).orElse(null);
    this.generated = configured == null ? generate() : null;
    this.digest = sha256(configured == null ? generated : configured);
  }

  void announce(@Observes StartupEvent event) {
    if (generated != null) {
      LOG.infof(
          "No API key configured (KERNEL_API_KEY or procgate.api-key); this run's token is %s",
          generated);
    }
  }

  /** Whether an {@code Authorization} header value carries the token. */
  public boolean accepts(String authorization) {
    if (authorization == null
        || authorization.length() <= BEARER.length()
        || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return false;
    }
    return MessageDigest.isEqual(digest, sha256(authorization.substring(BEARER.length()).strip()));
  }

  private static String generate() {
    byte[] random = new byte[32];
    new SecureRandom().nextBytes(random);
    return "pg_" + HexFormat.of().formatHex(random);
  }

  private static byte[] sha256(String value) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
