package io.procgate.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SessionCapacityTest {

  @Test
  void aFullServerFitsTheMachine() {
    // 24 GiB, as the machines here: 1 GiB for the server, 512 MiB for each of 46 sessions.
    assertThat(SessionCapacity.forMemory(24 * 1024)).isEqualTo(46);
    assertThat(SessionCapacity.forMemory(1024 + 46 * 512)).isEqualTo(46);
  }

  @Test
  void theLimitStaysBetweenOneAndSixtyFour() {
    assertThat(SessionCapacity.forMemory(512)).isEqualTo(1);
    assertThat(SessionCapacity.forMemory(0)).isEqualTo(1);
    assertThat(SessionCapacity.forMemory(1024 * 1024)).isEqualTo(64);
  }

  @Test
  void theMachineHasMemoryToTell() {
    assertThat(SessionCapacity.availableMib()).isPositive();
  }
}
