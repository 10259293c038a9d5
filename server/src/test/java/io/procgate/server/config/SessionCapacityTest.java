package io.procgate.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

  @Test
  void theLowestLimitOnTheWayUpFromTheServersOwnCgroupsCounts(@TempDir Path dir) throws Exception {
    Path membership = dir.resolve("cgroup");
    Files.writeString(
        membership, "4:memory:/slice/unit\n1:cpu:/slice/unit\n0::/system.slice/procgate.service\n");
    Path root = dir.resolve("fs");
    write(root.resolve("memory/memory.limit_in_bytes"), "9223372036854771712");
    write(root.resolve("memory/slice/memory.limit_in_bytes"), "8589934592");
    write(root.resolve("memory/slice/unit/memory.limit_in_bytes"), "9223372036854771712");
    write(root.resolve("system.slice/memory.max"), "max");
    write(root.resolve("system.slice/procgate.service/memory.max"), "4294967296");

    assertThat(SessionCapacity.cgroupLimitBytes(membership, root)).isEqualTo(4294967296L);

    Files.writeString(membership, "4:memory:/slice/unit\n");
    assertThat(SessionCapacity.cgroupLimitBytes(membership, root)).isEqualTo(8589934592L);

    Files.writeString(membership, "0::/\n");
    assertThat(SessionCapacity.cgroupLimitBytes(membership, root)).isZero();
  }

  private static void write(Path file, String content) throws Exception {
    Files.createDirectories(file.getParent());
    Files.writeString(file, content + "\n");
  }
}
