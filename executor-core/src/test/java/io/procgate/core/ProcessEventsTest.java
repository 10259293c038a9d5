package io.procgate.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.procgate.core.ProcessEvents.End;
import io.procgate.core.ProcessEvents.Kind;
import io.procgate.core.ProcessEvents.Outcome;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class ProcessEventsTest {
  @TempDir Path dir;
  final BlockingQueue<End> ends = new LinkedBlockingQueue<>();
  ExecFixture fixture;

  @BeforeEach
  void start() {
    fixture =
        new ExecFixture(
            ExecutorSettings.builder().killGrace(Duration.ofMillis(200)).build(), dir, ends::add);
  }

  @AfterEach
  void stop() throws Exception {
    fixture.close();
  }

  private End next() throws InterruptedException {
    End end = ends.poll(30, TimeUnit.SECONDS);
    assertThat(end).as("an end reported").isNotNull();
    return end;
  }

  @Test
  void anExecThatExitsIsReportedWithItsOutputAndDuration() throws Exception {
    ExecResult result = fixture.run("/bin/sh", "-c", "printf 12345; printf 678 >&2; exit 3");

    End end = next();
    assertThat(end.kind()).isEqualTo(Kind.EXEC);
    assertThat(end.outcome()).isEqualTo(Outcome.EXITED);
    assertThat(end.outputBytes()).isEqualTo(8);
    assertThat(end.duration()).isEqualTo(result.duration());
  }

  @Test
  void signalledAndTimedOutExecsAreToldApart() throws Exception {
    fixture.run("/bin/sh", "-c", "kill -9 $$");
    assertThat(next().outcome()).isEqualTo(Outcome.SIGNALLED);

    fixture.run(fixture.command("/bin/sleep", "30").timeoutSeconds(1));
    assertThat(next().outcome()).isEqualTo(Outcome.TIMED_OUT);
  }

  @Test
  void aCommandThatCannotStartIsReportedOnce() throws Exception {
    assertThatThrownBy(() -> fixture.run("/no/such/command")).isInstanceOf(ProcessException.class);
    assertThatThrownBy(
            () ->
                fixture.executor.spawn(fixture.command("/no/such/command").build(), fixture.owner))
        .isInstanceOf(ProcessException.class);

    assertThat(next()).isEqualTo(End.failedToStart(Kind.EXEC));
    assertThat(next()).isEqualTo(End.failedToStart(Kind.SPAWN));
    assertThat(ends).isEmpty();
  }

  @Test
  void aSpawnedProcessIsReportedWhenItEnds() throws Exception {
    SpawnedProcess process =
        fixture.executor.spawn(
            fixture.command("/bin/sh", "-c", "printf hello; exit 0").build(), fixture.owner);

    End end = next();
    assertThat(end.kind()).isEqualTo(Kind.SPAWN);
    assertThat(end.outcome()).isEqualTo(Outcome.EXITED);
    assertThat(end.outputBytes()).isEqualTo(5);
    assertThat(process.exitStatus()).contains(ExitStatus.exited(0));
  }
}
