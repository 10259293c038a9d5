package io.procgate.core;

import static io.procgate.core.ExecFixture.stdout;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.procgate.core.ContainmentSettings.Mechanism;
import io.procgate.core.internal.os.PosixSpawn;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Owners' processes in cgroups of their own, as this machine has them. */
@Timeout(60)
class ContainmentTest {
  @TempDir Path dir;
  private ProcessExecutor executor;
  private String ownerName;

  private ProcessTable start(ContainmentSettings containment) {
    executor =
        new ProcessExecutor(
            ExecutorSettings.builder()
                .killGrace(Duration.ofMillis(500))
                .containment(containment)
                .build());
    assumeTrue(!executor.containment().startsWith("process groups only"), executor.containment());
    ownerName = "test-" + System.nanoTime();
    return executor.newTable(ownerName, Path.of("/"));
  }

  private ProcessTable start() {
    return start(ContainmentSettings.defaults());
  }

  @AfterEach
  void stop() {
    if (executor != null) {
      executor.close();
    }
  }

  private ExecResult run(ProcessTable owner, String command) throws Exception {
    return executor
        .exec(LaunchRequest.builder(command, dir).timeoutSeconds(20).build(), owner)
        .result()
        .get(30, TimeUnit.SECONDS);
  }

  private static List<String> cgroupsOfThisJvmsThreads() throws IOException {
    List<String> lines = new ArrayList<>();
    try (Stream<Path> threads = Files.list(Path.of("/proc/self/task"))) {
      for (Path thread : threads.toList()) {
        try {
          lines.addAll(Files.readAllLines(thread.resolve("cgroup")));
        } catch (NoSuchFileException ended) {
          // A thread that ended since the listing (the JIT's come and go) is in no cgroup.
        }
      }
    }
    return lines;
  }

  private static boolean alive(String pid) {
    return ExecFixture.alive(Integer.parseInt(pid.strip()));
  }

  @Test
  void aProcessIsInTheOwnersCgroupFromItsFirstInstruction() throws Exception {
    ProcessTable owner = start();

    // cat reads its own membership: nothing ran in between that could have moved it.
    String cgroups = stdout(run(owner, "/bin/cat /proc/self/cgroup"));

    String owners = "/procgate-" + ProcessHandle.current().pid() + "/" + ownerName;
    if (executor.containment().startsWith("cgroup v2")) {
      assertThat(cgroups.lines().filter(line -> line.startsWith("0::")))
          .singleElement()
          .asString()
          .endsWith(owners);
    }
    for (String hierarchy : List.of("pids", "memory", "cpu")) {
      if (executor.containment().matches("cgroup v1 \\(.*\\b" + hierarchy + "\\b.*")) {
        String controllers = "([a-z_]+,)*" + hierarchy + "(,[a-z_]+)*";
        assertThat(cgroups.lines().filter(line -> line.matches("\\d+:" + controllers + ":.*")))
            .singleElement()
            .asString()
            .endsWith(owners);
      }
    }
    // The thread that spawned it went back: no thread of this JVM stays in the owner's cgroup.
    assertThat(cgroupsOfThisJvmsThreads()).isNotEmpty().noneMatch(line -> line.endsWith(owners));
    // The score is written just after the spawn: what a process reads of it in its first
    // microseconds may predate that, what a later reader sees may not.
    SpawnedProcess sleeper =
        executor.spawn(LaunchRequest.builder("sleep", dir).args("30").build(), owner);
    assertThat(Files.readString(Path.of("/proc/" + sleeper.pid() + "/oom_score_adj")).strip())
        .isEqualTo("1000");
    // The server's own is lowered where it may be (CAP_SYS_RESOURCE), else left as it was.
    assertThat(Integer.parseInt(Files.readString(Path.of("/proc/self/oom_score_adj")).strip()))
        .isLessThanOrEqualTo(0);
  }

  @Test
  void processesThatLeftTheirGroupEndWithTheOwner() throws Exception {
    ProcessTable owner = start();
    String escapee = stdout(run(owner, "setsid sleep 617 </dev/null >/dev/null 2>&1 & echo $!"));
    String daemon =
        stdout(
            run(owner, "(setsid sh -c 'sleep 618 & echo $!' </dev/null 2>/dev/null &) | head -1"));
    assertThat(alive(escapee)).isTrue();
    await().until(() -> alive(daemon));

    executor.terminateAll(owner).get(30, TimeUnit.SECONDS);

    // Not even zombies: once the owner is over, its processes' pids are free.
    assertThat(Path.of("/proc/" + escapee.strip())).doesNotExist();
    assertThat(Path.of("/proc/" + daemon.strip())).doesNotExist();
  }

  @Test
  void aForkBombHitsItsOwnLimitAndTheOthersStillRun() throws Exception {
    ProcessTable bombed = start(new ContainmentSettings(Mechanism.AUTO, false, 4L << 30, 64, 100));
    ProcessTable other = executor.newTable("other-" + System.nanoTime(), Path.of("/"));
    SpawnedProcess witness =
        executor.spawn(LaunchRequest.builder("sleep", dir).args("30").build(), bombed);
    Path events = pidsEvents(witness.pid());

    executor.exec(
        LaunchRequest.builder("b() { b & b & wait; }; b", dir).timeoutSeconds(5).build(), bombed);

    // The kernel counts the forks it refused at the limit.
    await().until(() -> refusedForks(events) > 0);
    assertThat(bombed.usage().orElseThrow().tasks()).isLessThanOrEqualTo(64);
    assertThat(stdout(run(other, "echo still here"))).isEqualTo("still here\n");
    executor.terminateAll(bombed).get(30, TimeUnit.SECONDS);
    executor.terminateAll(other).get(30, TimeUnit.SECONDS);
  }

  /** The pids.events file of the cgroup v1 pids hierarchy that process {@code pid} is in. */
  private static Path pidsEvents(int pid) throws Exception {
    String line =
        Files.readAllLines(Path.of("/proc/" + pid + "/cgroup")).stream()
            .filter(entry -> entry.contains(":pids:"))
            .findFirst()
            .orElseThrow();
    return Path.of(
        "/sys/fs/cgroup/pids" + line.substring(line.indexOf(":pids:") + 6), "pids.events");
  }

  private static long refusedForks(Path events) throws Exception {
    return Long.parseLong(Files.readString(events).strip().split(" ")[1]);
  }

  @Test
  void aProcessPastTheMemoryLimitIsKilledInsideItsOwner() throws Exception {
    ProcessTable owner =
        start(new ContainmentSettings(Mechanism.AUTO, false, 64L << 20, 4096, 100));
    assumeTrue(owner.usage().orElseThrow().memoryBytes() >= 0);

    ExecResult hog = run(owner, "x=$(head -c 200000000 /dev/zero | tr '\\0' a); echo survived");

    assertThat(stdout(hog)).doesNotContain("survived");
    assertThat(hog.status().signalName()).contains("SIGKILL");
    assertThat(stdout(run(owner, "echo after"))).isEqualTo("after\n");
  }

  @Test
  void usageCountsTheOwnersMemoryAndTasks() throws Exception {
    ProcessTable owner = start();
    SpawnedProcess holder =
        executor.spawn(
            LaunchRequest.builder(
                    "x=$(head -c 50000000 /dev/zero | tr '\\0' a); echo held; sleep 30", dir)
                .build(),
            owner);

    // Once the shell holds its 50 MB and sleeps: it and its sleep.
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                owner.usage().orElseThrow().memoryBytes() > 40_000_000L
                    && owner.usage().orElseThrow().tasks() == 2);
    assertThat(holder.isRunning()).isTrue();
  }

  @Test
  void onCgroupV2AChildIsBornInsideOrEntersByItselfAndTheKernelEndsThemAll() throws Exception {
    ProcessTable owner = start(new ContainmentSettings(Mechanism.V2, false, 0, 0, 100));
    assumeTrue(executor.containment().startsWith("cgroup v2"), executor.containment());
    // Born inside where libc (glibc 2.39 and newer) and kernel (clone3's CLONE_INTO_CGROUP, 5.7
    // and newer) can; through the trampoline elsewhere.
    assertThat(executor.containment())
        .contains(
            PosixSpawn.canBeBornInCgroup() && kernelAtLeast(5, 7)
                ? "children are born inside"
                : "children enter through /bin/sh");

    String cgroups = stdout(run(owner, "/bin/cat /proc/self/cgroup"));
    String escapee = stdout(run(owner, "setsid sleep 619 </dev/null >/dev/null 2>&1 & echo $!"));

    assertThat(cgroups.lines().filter(line -> line.startsWith("0::")))
        .singleElement()
        .asString()
        .contains("/procgate-");
    assertThat(alive(escapee)).isTrue();
    executor.terminateAll(owner).get(30, TimeUnit.SECONDS);
    assertThat(alive(escapee)).isFalse();
  }

  private static boolean kernelAtLeast(int major, int minor) {
    String[] release = System.getProperty("os.version").split("[.-]");
    int[] version = {Integer.parseInt(release[0]), Integer.parseInt(release[1])};
    return version[0] > major || (version[0] == major && version[1] >= minor);
  }

  @Test
  void requiredContainmentThatCannotBeHadStopsTheExecutor() {
    assertThatThrownBy(
            () ->
                new ProcessExecutor(
                    ExecutorSettings.builder()
                        .containment(new ContainmentSettings(Mechanism.NONE, true, 0, 0, 100))
                        .build()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("containment is required");
  }
}
