package io.procgate.core;

import static io.procgate.core.ExecFixture.stdout;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.procgate.core.ProcessException.Kind;
import io.procgate.core.internal.os.Accounts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Runs as root: switches to the test account and back. */
@Timeout(60)
class ExecUserTest {
  private static final String IDENTITY =
      "echo $(id -u) $(id -g) $(id -G); echo $HOME $USER $LOGNAME $SHELL; pwd";

  @TempDir Path dir;
  ExecFixture fixture;
  Account user;

  @BeforeEach
  void start() throws Exception {
    fixture = new ExecFixture(ExecutorSettings.defaults(), dir);
    user = TestUser.require(fixture.executor);
    // A private owner directory, world-searchable like a session's, so the account can enter it.
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
  }

  @AfterEach
  void stop() throws Exception {
    fixture.close();
  }

  private String expectedIdentity(Account account, int gid) {
    String groups =
        String.join(
            " ",
            Accounts.groupsOf(account.name(), gid).stream()
                .sorted((a, b) -> a.equals(gid) ? -1 : b.equals(gid) ? 1 : Integer.compare(a, b))
                .map(String::valueOf)
                .toList());
    return account.uid()
        + " "
        + gid
        + " "
        + groups
        + "\n"
        + account.home()
        + " "
        + account.name()
        + " "
        + account.name()
        + " "
        + account.shell()
        + "\n"
        + dir
        + "\n";
  }

  @Test
  void byNameTheChildTakesTheAccountsIdsGroupsAndHome() throws Exception {
    ExecResult result = fixture.run(fixture.command(IDENTITY).asUser(TestUser.NAME));

    assertThat(stdout(result)).isEqualTo(expectedIdentity(user, user.gid()));
    assertThat(user.groups()).hasSizeGreaterThan(1);
  }

  @Test
  void byUidTheChildTakesTheSameAccount() throws Exception {
    ExecResult result = fixture.run(fixture.command(IDENTITY).asUser(Integer.toString(user.uid())));

    assertThat(stdout(result)).isEqualTo(expectedIdentity(user, user.gid()));
  }

  @Test
  void byUidAndGidTheChildTakesThatPrimaryGroup() throws Exception {
    int extra = user.groups().stream().filter(g -> g != user.gid()).findFirst().orElseThrow();

    ExecResult result =
        fixture.run(fixture.command("id -u; id -g").asUser(user.uid() + ":" + extra));

    assertThat(stdout(result)).isEqualTo(user.uid() + "\n" + extra + "\n");
  }

  @Test
  void asRootRunsAsRoot() throws Exception {
    assertThat(stdout(fixture.run(fixture.command("id", "-u").asRoot(true)))).isEqualTo("0\n");
  }

  @Test
  void theDefaultUserIsConfigurableAndAsRootOverridesIt() throws Exception {
    ExecutorSettings asTestUser =
        ExecutorSettings.builder().defaultUser(Optional.of(TestUser.NAME)).build();
    try (ExecFixture other = new ExecFixture(asTestUser, dir)) {
      assertThat(stdout(other.run("id", "-un"))).isEqualTo(TestUser.NAME + "\n");
      assertThat(stdout(other.run(other.command("id", "-un").asRoot(true)))).isEqualTo("root\n");
    }
  }

  @Test
  void theUserMustBeAllowedToExecuteTheCommand() throws Exception {
    Path script = dir.resolve("root-only");
    Files.writeString(script, "#!/bin/sh\necho secret\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));

    assertThatThrownBy(() -> fixture.run(fixture.command(script.toString()).asUser(TestUser.NAME)))
        .isInstanceOfSatisfying(
            ProcessException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(Kind.NOT_EXECUTABLE);
              assertThat(e.getMessage()).contains("Permission denied", TestUser.NAME);
            });
  }

  @Test
  void behindTheUserSwitchAMissingInterpreterIsStillNamed() throws Exception {
    Path script = dir.resolve("orphan.sh");
    Files.writeString(script, "#!/nonexistent/interpreter\necho never\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));

    assertThatThrownBy(() -> fixture.run(fixture.command(script.toString()).asUser(TestUser.NAME)))
        .isInstanceOfSatisfying(
            ProcessException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(Kind.NOT_EXECUTABLE);
              assertThat(e.getMessage()).contains("'/nonexistent/interpreter' does not exist");
            });
  }

  @Test
  void theUserMustBeAllowedIntoTheWorkingDirectory() throws Exception {
    Path locked = Files.createDirectory(dir.resolve("locked"));
    Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("rwx------"));

    assertThatThrownBy(
            () -> fixture.run(fixture.command("pwd").cwd(locked.toString()).asUser(TestUser.NAME)))
        .isInstanceOfSatisfying(
            ProcessException.class, e -> assertThat(e.kind()).isEqualTo(Kind.INVALID_CWD));
  }

  @Test
  void unknownUsersAndBothOptionsTogetherAreRefused() {
    for (String spec : new String[] {"no-such-user-xyz", "4000000", "1:2:3", "abc:1", ":", ""}) {
      assertThatThrownBy(() -> fixture.run(fixture.command("true").asUser(spec)))
          .as(spec)
          .isInstanceOfSatisfying(
              ProcessException.class, e -> assertThat(e.kind()).isEqualTo(Kind.UNKNOWN_USER));
    }
    assertThatThrownBy(
            () -> fixture.run(fixture.command("true").asUser(TestUser.NAME).asRoot(true)))
        .isInstanceOfSatisfying(
            ProcessException.class,
            e -> assertThat(e.kind()).isEqualTo(Kind.CONFLICTING_USER_OPTIONS));
  }
}
