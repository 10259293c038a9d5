package io.procgate.server.cdp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SessionKeysTest {
  private final SessionKeys keys =
      SessionKeys.ofKey("a control plane's shared secret, long enough");

  @Test
  void everyReplicaDerivesTheSameKeysAndEachSessionItsOwn() {
    SessionKeys replica = SessionKeys.ofKey("a control plane's shared secret, long enough");

    assertThat(replica.apiKey("session1")).isEqualTo(keys.apiKey("session1"));
    assertThat(replica.tokenKey("session1")).isEqualTo(keys.tokenKey("session1"));
    assertThat(keys.apiKey("session1"))
        .isNotEqualTo(keys.apiKey("session2"))
        .isNotEqualTo(keys.tokenKey("session1"));
  }

  @Test
  void aPodsTokenKeySignsTokensForItsSessionAlone() {
    ObjectMapper json = new ObjectMapper();
    CdpTokens pod =
        new CdpTokens(
            keys.tokenKey("session1").getBytes(StandardCharsets.UTF_8),
            Duration.ofMinutes(1),
            json,
            Clock.systemUTC());
    CdpTokens controlPlane = CdpTokens.perSession(keys, Duration.ofMinutes(1), json);

    assertThat(controlPlane.verify(pod.mint("session1"))).contains("session1");
    assertThat(pod.verify(controlPlane.mint("session1"))).contains("session1");
    // What the pod of session1 mints for session2 is worth nothing.
    assertThat(controlPlane.verify(pod.mint("session2"))).isEmpty();
  }

  @Test
  void aShortSecretIsRefused() {
    assertThatThrownBy(() -> SessionKeys.ofKey("short"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("at least 32");
  }
}
