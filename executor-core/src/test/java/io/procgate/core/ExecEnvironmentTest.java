package io.procgate.core;

import static io.procgate.core.ExecFixture.stdout;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.procgate.core.ProcessException.Kind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class ExecEnvironmentTest {
  @TempDir Path dir;
  ExecFixture fixture;

  @BeforeEach
  void start() {
    fixture = new ExecFixture(ExecutorSettings.defaults(), dir);
  }

  @AfterEach
  void stop() throws Exception {
    fixture.close();
  }

  private Map<String, String> environmentOf(LaunchRequest.Builder request) throws Exception {
    return Arrays.stream(stdout(fixture.run(request)).split("\0"))
        .filter(entry -> !entry.isEmpty())
        .collect(
            Collectors.toMap(
                entry -> entry.substring(0, entry.indexOf('=')),
                entry -> entry.substring(entry.indexOf('=') + 1),
                (a, b) -> b,
                LinkedHashMap::new));
  }

  @Test
  void theChildGetsTheDocumentedBaseAndNothingOfTheServersEnvironment() throws Exception {
    Account server = fixture.executor.serverAccount();

    Map<String, String> env = environmentOf(fixture.command("env", "-0"));

    assertThat(env)
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "PATH", ExecutorSettings.DEFAULT_PATH,
                "HOME", server.home(),
                "USER", server.name(),
                "LOGNAME", server.name(),
                "SHELL", server.shell(),
                "LANG", "C.UTF-8",
                "TERM", "dumb"));
  }

  @Test
  void ownerVariablesLieBeneathTheRequestsAndTheRequestOverridesTheBase() throws Exception {
    Map<String, String> env =
        environmentOf(
            fixture
                .command("env", "-0")
                .ownerEnv(Map.of("SESSION_ONLY", "s", "SHARED", "from-session"))
                .env(Map.of("SHARED", "from-request", "HOME", "/elsewhere", "EMPTY", "")));

    assertThat(env)
        .containsEntry("SESSION_ONLY", "s")
        .containsEntry("SHARED", "from-request")
        .containsEntry("HOME", "/elsewhere")
        .containsEntry("EMPTY", "");
  }

  @Test
  void valuesWithNewlinesAndUnicodeArriveIntact() throws Exception {
    String value = "line one\nline two ünïcødé ✓ =";

    assertThat(stdout(fixture.run(fixture.command("printenv", "V").env(Map.of("V", value)))))
        .isEqualTo(value + "\n");
  }

  @Test
  void invalidVariableNamesAndNulValuesAreRefused() {
    for (Map<String, String> env :
        java.util.List.of(
            Map.of("", "x"), Map.of("A=B", "x"), Map.of("A\0", "x"), Map.of("A", "x\0y"))) {
      assertThatThrownBy(() -> fixture.run(fixture.command("true").env(env)))
          .isInstanceOfSatisfying(
              ProcessException.class, e -> assertThat(e.kind()).isEqualTo(Kind.INVALID_REQUEST));
    }
  }

  @Test
  void theDefaultWorkingDirectoryIsTheOwners() throws Exception {
    assertThat(stdout(fixture.run("pwd"))).isEqualTo(dir + "\n");
  }

  @Test
  void anExplicitAbsoluteWorkingDirectoryIsUsed() throws Exception {
    Path sub = Files.createDirectory(dir.resolve("sub dir"));

    assertThat(stdout(fixture.run(fixture.command("pwd").cwd(sub.toString()))))
        .isEqualTo(sub + "\n");
  }

  @Test
  void relativeMissingAndNonDirectoryWorkingDirectoriesAreRefused() throws Exception {
    Path file = Files.writeString(dir.resolve("file"), "x");
    for (String cwd :
        new String[] {"relative/path", dir + "/missing", file.toString(), "/tmp/a\0b"}) {
      assertThatThrownBy(() -> fixture.run(fixture.command("pwd").cwd(cwd)))
          .as(cwd)
          .isInstanceOfSatisfying(
              ProcessException.class, e -> assertThat(e.kind()).isEqualTo(Kind.INVALID_CWD));
    }
  }
}
