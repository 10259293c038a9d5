package io.procgate.server.cdp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class CdpTokensTest {
  private final ObjectMapper json = new ObjectMapper();
  private final SettableClock clock = new SettableClock(Instant.parse("2026-12-01T10:00:00Z"));
  private final CdpTokens tokens = withKey("key of this server");

  @Test
  void aTokenNamesItsSessionUntilItExpires() {
    String token = tokens.mint("session1");

    assertThat(tokens.verify(token)).contains("session1");
    clock.now = clock.now.plusSeconds(59);
    assertThat(tokens.verify(token)).contains("session1");
    clock.now = clock.now.plusSeconds(1);
    assertThat(tokens.verify(token)).isEmpty();
  }

  @Test
  void anotherServersTokenIsRefused() {
    String token = withKey("key of another server").mint("session1");

    assertThat(tokens.verify(token)).isEmpty();
  }

  @Test
  void aTokenIsGoodWhereverItsKeyIs() {
    // As a control plane and the pod it derived the key for share it.
    String token = withKey("key of this server").mint("session1");

    assertThat(tokens.verify(token)).contains("session1");
  }

  @Test
  void aTamperedTokenIsRefused() {
    String[] parts = tokens.mint("session1").split("\\.");
    String otherClaims =
        Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString(
                "{\"sub\":\"session2\",\"exp\":99999999999}".getBytes(StandardCharsets.UTF_8));

    assertThat(tokens.verify(parts[0] + "." + otherClaims + "." + parts[2])).isEmpty();
    assertThat(tokens.verify(parts[0] + "." + parts[1] + ".")).isEmpty();
    assertThat(tokens.verify(parts[0] + "." + parts[1] + "." + parts[2] + "x")).isEmpty();
    assertThat(tokens.verify("")).isEmpty();
    assertThat(tokens.verify(null)).isEmpty();
    assertThat(tokens.verify("not.a.token")).isEmpty();
  }

  private CdpTokens withKey(String key) {
    return new CdpTokens(key.getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(60), json, clock);
  }

  private static final class SettableClock extends Clock {
    Instant now;

    SettableClock(Instant now) {
      this.now = now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
