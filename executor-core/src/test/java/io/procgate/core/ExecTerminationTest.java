package io.procgate.core;

import static io.procgate.core.ExecFixture.alive;
import static io.procgate.core.ExecFixture.stdout;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.procgate.core.ProcessException.Kind;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class ExecTerminationTest {
  private static final Duration GRACE = Duration.ofMillis(500);

  @TempDir Path dir;
  ExecFixture fixture;

  @BeforeEach
  void start() {
    fixture =
        new ExecFixture(
            ExecutorSettings.builder()
                .defaultTimeout(Duration.ofSeconds(5))
                .maxTimeout(Duration.ofSeconds(20))
                .killGrace(GRACE)
                .build(),
            dir);
  }

  @AfterEach
  void stop() throws Exception {
    fixture.close();
  }

  @Test
  void aTimeoutEndsTheWholeGroupAndKeepsTheOutputSoFar() throws Exception {
    ExecResult result =
        fixture.run(
            fixture.command("sleep 30 & echo $!; echo partial >&2; wait").timeoutSeconds(1));

    int grandchild = Integer.parseInt(stdout(result).trim());
    assertThat(result.timedOut()).isTrue();
    assertThat(result.status().exitCode()).isEqualTo(128 + 15);
    assertThat(result.status().signalName()).contains("SIGTERM");
    assertThat(ExecFixture.stderr(result)).isEqualTo("partial\n");
    assertThat(result.duration()).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(3));
    await().atMost(Duration.ofSeconds(5)).until(() -> !alive(grandchild));
  }

  @Test
  void aGroupThatIgnoresTermIsKilledAfterTheGrace() throws Exception {
    long started = System.nanoTime();
    ExecResult result =
        fixture.run(
            fixture.command("trap '' TERM; echo ready; while :; do :; done").timeoutSeconds(1));

    assertThat(result.timedOut()).isTrue();
    assertThat(result.status().exitCode()).isEqualTo(128 + 9);
    assertThat(result.status().signalName()).contains("SIGKILL");
    assertThat(stdout(result)).isEqualTo("ready\n");
    assertThat(Duration.ofNanos(System.nanoTime() - started))
        .isGreaterThanOrEqualTo(Duration.ofSeconds(1).plus(GRACE));
  }

  @Test
  void zeroMeansTheDefaultTimeoutAndNegativeOrExcessiveTimeoutsAreRefused() throws Exception {
    assertThat(fixture.run(fixture.command("true").timeoutSeconds(0)).status().exitCode()).isZero();
    for (int seconds : new int[] {-1, 21, Integer.MAX_VALUE}) {
      assertThatThrownBy(() -> fixture.run(fixture.command("true").timeoutSeconds(seconds)))
          .isInstanceOfSatisfying(
              ProcessException.class, e -> assertThat(e.kind()).isEqualTo(Kind.INVALID_TIMEOUT));
    }
  }

  @Test
  void theDefaultTimeoutApplies() throws Exception {
    ExecResult result = fixture.run("sleep", "60");

    assertThat(result.timedOut()).isTrue();
    assertThat(result.duration()).isBetween(Duration.ofSeconds(5), Duration.ofSeconds(7));
  }

  @Test
  void anExitBySignalReports128PlusItsNumberAndItsName() throws Exception {
    ExecResult result = fixture.run("sh", "-c", "kill -USR1 $$");

    assertThat(result.status().exitCode()).isEqualTo(128 + 10);
    assertThat(result.status().signalName()).contains("SIGUSR1");
    assertThat(result.timedOut()).isFalse();
  }

  @Test
  void backgroundProcessesHoldingThePipesDoNotDelayTheResultAndKeepRunning() throws Exception {
    long started = System.nanoTime();
    ExecResult result = fixture.run("sleep 60 & echo $!");

    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(1));
    int background = Integer.parseInt(stdout(result).trim());
    assertThat(alive(background)).isTrue();

    fixture.executor.terminateAll(fixture.owner).get(10, TimeUnit.SECONDS);

    await().atMost(Duration.ofSeconds(5)).until(() -> !alive(background));
  }

  @Test
  void backgroundProcessesWithTheirOwnOutputAreLeftAlone() throws Exception {
    ExecResult result = fixture.run("sleep 60 >/dev/null 2>&1 & echo $!");

    int background = Integer.parseInt(stdout(result).trim());
    assertThat(result.duration()).isLessThan(Duration.ofMillis(500));
    assertThat(alive(background)).isTrue();
  }

  @Test
  void abandoningAnExecutionEndsItsGroup() throws Exception {
    Execution execution =
        fixture.executor.exec(fixture.command("sleep", "30").build(), fixture.owner);

    execution.abandon();

    ExecResult result = execution.result().get(10, TimeUnit.SECONDS);
    assertThat(result.status().signalName()).contains("SIGTERM");
    assertThat(alive(execution.pid())).isFalse();
  }

  @Test
  void aClosedOwnerTakesNoNewProcess() throws Exception {
    fixture.executor.terminateAll(fixture.owner).get(10, TimeUnit.SECONDS);

    assertThatThrownBy(() -> fixture.run("true"))
        .isInstanceOfSatisfying(
            ProcessException.class, e -> assertThat(e.kind()).isEqualTo(Kind.OWNER_CLOSED));
  }

  @Test
  void durationIsMeasuredFromStartToExit() throws Exception {
    ExecResult result = fixture.run("sleep", "0.3");

    assertThat(result.duration()).isBetween(Duration.ofMillis(300), Duration.ofMillis(1500));
  }
}
