package io.procgate.core;

import static io.procgate.core.ExecFixture.alive;
import static io.procgate.core.ExecFixture.stderr;
import static io.procgate.core.ExecFixture.stdout;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.procgate.core.internal.os.Accounts;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Runs as root: owners get uids of their own from a small range, and give them back. */
@Timeout(60)
class SessionAccountsTest {
  // Three uids, far from any the system or other tests use.
  private static final UidRange RANGE = new UidRange(1_900_000, 1_900_002);

  @TempDir Path dir;
  ProcessExecutor executor;

  @BeforeEach
  void start() {
    executor =
        new ProcessExecutor(ExecutorSettings.builder().sessionUids(Optional.of(RANGE)).build());
  }

  @AfterEach
  void stop() {
    executor.close();
  }

  private ExecResult run(ProcessTable owner, String command) throws Exception {
    return executor
        .exec(LaunchRequest.builder(command, Path.of("/")).build(), owner)
        .result()
        .get(30, TimeUnit.SECONDS);
  }

  @Test
  void eachOwnerRunsAsAUidOfItsOwnThatNoAccountHas() throws Exception {
    assertThat(executor.ownersHaveOwnAccounts()).isTrue();
    ProcessTable a = executor.newTable("a", dir.resolve("a"));
    ProcessTable b = executor.newTable("b", dir.resolve("b"));

    assertThat(a.account().uid()).isNotEqualTo(b.account().uid());
    for (ProcessTable owner : new ProcessTable[] {a, b}) {
      Account account = owner.account();
      assertThat(account.uid()).isBetween(RANGE.first(), RANGE.last());
      assertThat(account.gid()).isEqualTo(account.uid());
      assertThat(Accounts.byUid(account.uid())).isEmpty();
      assertThat(stdout(run(owner, "echo $(id -u) $(id -g) $(id -G) $HOME")))
          .isEqualTo(
              account.uid()
                  + " "
                  + account.uid()
                  + " "
                  + account.uid()
                  + " "
                  + account.home()
                  + "\n");
    }
    assertThat(a.account().home()).isEqualTo(dir.resolve("a").toString());
  }

  @Test
  void twoServersOfOneHostNeverHandOutTheSameUid() throws Exception {
    ProcessTable mine = executor.newTable("mine", dir);
    try (ProcessExecutor other =
        new ProcessExecutor(ExecutorSettings.builder().sessionUids(Optional.of(RANGE)).build())) {
      ProcessTable theirs = other.newTable("theirs", dir);
      ProcessTable more = other.newTable("more", dir);
      assertThat(List.of(theirs.account().uid(), more.account().uid()))
          .doesNotContain(mine.account().uid());
      assertThatThrownBy(() -> other.newTable("none left", dir))
          .isInstanceOf(ProcessException.class);
    }
    // The other server's claims end with it.
    assertThat(executor.newTable("again", dir).account().uid()).isNotEqualTo(mine.account().uid());
  }

  @Test
  void oneOwnersProcessesCannotSignalOrReadAnothersButRootCan() throws Exception {
    ProcessTable a = executor.newTable("a", dir);
    ProcessTable b = executor.newTable("b", dir);
    SpawnedProcess victim =
        executor.spawn(
            LaunchRequest.builder("sleep", Path.of("/"))
                .args("300")
                .env(java.util.Map.of("SECRET", "b-only"))
                .build(),
            b);
    int pid = victim.pid();

    ExecResult signal = run(a, "kill -0 " + pid);
    assertThat(signal.status().code()).isNotEqualTo(0);
    assertThat(stderr(signal)).contains("Operation not permitted");
    ExecResult environ = run(a, "cat /proc/" + pid + "/environ");
    assertThat(environ.status().code()).isNotEqualTo(0);
    assertThat(stdout(environ)).doesNotContain("b-only");
    assertThat(stdout(run(b, "tr '\\0' '\\n' < /proc/" + pid + "/environ")))
        .contains("SECRET=b-only");
    assertThat(alive(pid)).isTrue();
    executor.terminateAll(b).get(30, TimeUnit.SECONDS);
  }

  @Test
  void aRetiredOwnersLeftoversAreKilledAndItsUidComesBackOnlyAfterTheOthers() throws Exception {
    ProcessTable first = executor.newTable("first", dir);
    int uid = first.account().uid();
    // A process of the uid that no group or cgroup of the owner holds, as one a setuid helper left
    // would be: started by root from another owner.
    ProcessTable stranger = executor.newTable();
    int leftover =
        Integer.parseInt(
            stdout(
                    run(
                        stranger,
                        "setpriv --reuid="
                            + uid
                            + " --regid="
                            + uid
                            + " --clear-groups sh -c 'sleep 300 >/dev/null 2>&1 & echo $!'"))
                .strip());
    assertThat(stdout(run(first, "ps -o pid= -u " + uid))).contains(Integer.toString(leftover));
    executor.terminateAll(first).get(30, TimeUnit.SECONDS);

    assertThat(executor.retire(first)).isTrue();
    assertThat(alive(leftover)).isFalse();

    ProcessTable second = executor.newTable("second", dir);
    ProcessTable third = executor.newTable("third", dir);
    ProcessTable fourth = executor.newTable("fourth", dir);
    assertThat(second.account().uid()).isNotEqualTo(uid);
    assertThat(third.account().uid()).isNotEqualTo(uid);
    assertThat(fourth.account().uid()).isEqualTo(uid);
    assertThatThrownBy(() -> executor.newTable("fifth", dir))
        .isInstanceOf(ProcessException.class)
        .hasMessageContaining("every uid of " + RANGE);
  }
}
