package io.procgate.core;

import static io.procgate.core.ExecFixture.stdout;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(120)
class ExecOutputTest {
  private static final int CAP = 64 * 1024;

  @TempDir Path dir;
  ExecFixture fixture;

  @BeforeEach
  void start() {
    fixture = new ExecFixture(ExecutorSettings.builder().outputCap(CAP).build(), dir);
  }

  @AfterEach
  void stop() throws Exception {
    fixture.close();
  }

  @Test
  void everyByteValueSurvivesOnBothStreams() throws Exception {
    byte[] all = new byte[256];
    for (int i = 0; i < all.length; i++) {
      all[i] = (byte) i;
    }
    Path file = Files.write(dir.resolve("bytes"), all);

    ExecResult result = fixture.run("cat " + file + "; cat " + file + " >&2");

    assertThat(result.stdout().bytes()).isEqualTo(all);
    assertThat(result.stderr().bytes()).isEqualTo(all);
    assertThat(result.stdout().truncated()).isFalse();
  }

  @Test
  void outputPastTheCapIsCountedAndDropped() throws Exception {
    ExecResult result = fixture.run("head -c 1000000 /dev/zero; head -c 10 /dev/zero >&2");

    assertThat(result.stdout().bytes()).hasSize(CAP);
    assertThat(result.stdout().totalBytes()).isEqualTo(1_000_000);
    assertThat(result.stdout().truncated()).isTrue();
    assertThat(result.stderr().bytes()).hasSize(10);
    assertThat(result.stderr().truncated()).isFalse();
  }

  @Test
  void aProcessWritingFarPastTheCapRunsToTheEnd() throws Exception {
    ExecResult result = fixture.run("head -c 300000000 /dev/zero; echo done >&2");

    assertThat(result.status().exitCode()).isZero();
    assertThat(result.stdout().totalBytes()).isEqualTo(300_000_000L);
    assertThat(result.stdout().bytes()).hasSize(CAP);
    assertThat(ExecFixture.stderr(result)).isEqualTo("done\n");
  }

  @Test
  void aProcessThatClosesStdoutEarlyStillReportsItsStderrAndExit() throws Exception {
    ExecResult result = fixture.run("echo out; exec >&-; sleep 0.2; echo err >&2; exit 3");

    assertThat(stdout(result)).isEqualTo("out\n");
    assertThat(ExecFixture.stderr(result)).isEqualTo("err\n");
    assertThat(result.status().exitCode()).isEqualTo(3);
  }

  @Test
  void manyConcurrentExecutionsEachGetTheirOwnOutput() throws Exception {
    List<CompletableFuture<ExecResult>> results = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      results.add(
          fixture
              .executor
              .exec(fixture.command("echo", "run-" + i).build(), fixture.owner)
              .result());
    }
    for (int i = 0; i < results.size(); i++) {
      assertThat(stdout(results.get(i).get(30, TimeUnit.SECONDS))).isEqualTo("run-" + i + "\n");
    }
    assertThat(fixture.owner.running()).as("every slot is given back").isZero();
  }

  @Test
  void noZombieIsLeftBehind() throws Exception {
    // Each subshell exits at once, leaving its sleep to be re-parented to this JVM, the subreaper.
    ExecResult result = fixture.run("for i in 1 2 3 4 5; do (sleep 0.1 & echo $!) ; done");
    List<Integer> orphans = stdout(result).lines().map(Integer::valueOf).toList();

    assertThat(orphans).hasSize(5);
    // Once exited they are zombies of this JVM until something reaps them: only the sweep can.
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> orphans.stream().noneMatch(pid -> Files.exists(Path.of("/proc/" + pid))));
    assertThat(zombieChildrenOf(ProcessHandle.current().pid())).isZero();
  }

  private static long zombieChildrenOf(long parent) throws Exception {
    long count = 0;
    try (var entries = Files.list(Path.of("/proc"))) {
      for (Path entry : (Iterable<Path>) entries::iterator) {
        if (!entry.getFileName().toString().chars().allMatch(Character::isDigit)) {
          continue;
        }
        try {
          String stat = Files.readString(entry.resolve("stat"));
          String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          if (fields[0].equals("Z") && Long.parseLong(fields[1]) == parent) {
            count++;
          }
        } catch (java.io.IOException gone) {
          // The process ended while we looked.
        }
      }
    }
    return count;
  }
}
