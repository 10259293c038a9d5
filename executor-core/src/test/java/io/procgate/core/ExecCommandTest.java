package io.procgate.core;

import static io.procgate.core.ExecFixture.stdout;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.procgate.core.ProcessException.Kind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class ExecCommandTest {
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

  @Test
  void argumentsReachTheProcessVerbatimWithoutAShell() throws Exception {
    ExecResult result =
        fixture.run("printf", "%s|", "two words", "\"quoted\"", "'single'", "*", "$HOME", "a;b");

    assertThat(stdout(result)).isEqualTo("two words|\"quoted\"|'single'|*|$HOME|a;b|");
  }

  @Test
  void exitCodeIsReported() throws Exception {
    assertThat(fixture.run("sh", "-c", "exit 42").status().exitCode()).isEqualTo(42);
    assertThat(fixture.run("true").status()).isEqualTo(ExitStatus.exited(0));
  }

  @Test
  void aCommandWithShellSyntaxAndNoArgumentsRunsInTheShell() throws Exception {
    ExecResult result = fixture.run("echo $((40 + 2)) | tr 4 x; echo second >&2");

    assertThat(stdout(result)).isEqualTo("x2\n");
    assertThat(ExecFixture.stderr(result)).isEqualTo("second\n");
  }

  @Test
  void aCommandWithArgumentsNeverRunsInTheShell() throws Exception {
    assertThatThrownBy(() -> fixture.run("echo $HOME", "x"))
        .isInstanceOfSatisfying(
            ProcessException.class, e -> assertThat(e.kind()).isEqualTo(Kind.COMMAND_NOT_FOUND));
  }

  @Test
  void aBareNameIsLookedUpInTheChildsPath() throws Exception {
    Path bin = Files.createDirectory(dir.resolve("bin"));
    Path tool = bin.resolve("my-tool");
    Files.writeString(tool, "#!/bin/sh\necho from my-tool\n");
    Files.setPosixFilePermissions(tool, PosixFilePermissions.fromString("rwxr-xr-x"));

    ExecResult result = fixture.run(fixture.command("my-tool").env(Map.of("PATH", bin + ":/bin")));

    assertThat(stdout(result)).isEqualTo("from my-tool\n");
    assertThatThrownBy(() -> fixture.run("my-tool"))
        .isInstanceOfSatisfying(
            ProcessException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(Kind.COMMAND_NOT_FOUND);
              assertThat(e.getMessage()).contains("No such file or directory");
            });
  }

  @Test
  void aChildPathWithoutTheDirectoryDoesNotFindTheCommand() {
    assertThatThrownBy(() -> fixture.run(fixture.command("ls").env(Map.of("PATH", dir.toString()))))
        .isInstanceOfSatisfying(
            ProcessException.class, e -> assertThat(e.kind()).isEqualTo(Kind.COMMAND_NOT_FOUND));
  }

  @Test
  void aRelativePathResolvesAgainstTheWorkingDirectory() throws Exception {
    Path script = dir.resolve("run.sh");
    Files.writeString(script, "#!/bin/sh\npwd\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));

    assertThat(stdout(fixture.run("./run.sh"))).isEqualTo(dir + "\n");
  }

  @Test
  void aMissingCommandIsRefusedWithTheOperatingSystemsReason() {
    assertThatThrownBy(() -> fixture.run("/nonexistent/tool"))
        .isInstanceOfSatisfying(
            ProcessException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(Kind.COMMAND_NOT_FOUND);
              assertThat(e.getMessage()).contains("/nonexistent/tool", "No such file or directory");
            });
  }

  @Test
  void aFileWithoutExecutePermissionIsRefused() throws Exception {
    Path file = dir.resolve("data.txt");
    Files.writeString(file, "not a program");

    assertThatThrownBy(() -> fixture.run(file.toString()))
        .isInstanceOfSatisfying(
            ProcessException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(Kind.NOT_EXECUTABLE);
              assertThat(e.getMessage()).contains("Permission denied");
            });
  }

  @Test
  void aDirectoryIsRefused() {
    assertThatThrownBy(() -> fixture.run(dir.toString()))
        .isInstanceOfSatisfying(
            ProcessException.class, e -> assertThat(e.kind()).isEqualTo(Kind.NOT_EXECUTABLE));
  }

  @Test
  void anExecutableThatIsNotAProgramIsRefusedWithExecFormatError() throws Exception {
    Path file = dir.resolve("garbage");
    Files.write(file, new byte[] {1, 2, 3, 4, 5});
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));

    assertThatThrownBy(() -> fixture.run(file.toString()))
        .isInstanceOfSatisfying(
            ProcessException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(Kind.NOT_EXECUTABLE);
              assertThat(e.getMessage()).contains("Exec format error");
            });
  }

  @Test
  void aScriptWhoseInterpreterIsMissingIsRefusedNamingTheInterpreter() throws Exception {
    Path script = dir.resolve("orphan.sh");
    Files.writeString(script, "#!  /nonexistent/interpreter -x\necho never\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));

    assertThatThrownBy(() -> fixture.run(script.toString()))
        .isInstanceOfSatisfying(
            ProcessException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(Kind.NOT_EXECUTABLE);
              assertThat(e.getMessage())
                  .isEqualTo(
                      "cannot execute '"
                          + script
                          + "': its interpreter '/nonexistent/interpreter' does not exist");
            });
  }

  @Test
  void emptyCommandsAndNulBytesAreRefused() {
    assertThatThrownBy(() -> fixture.run(""))
        .isInstanceOfSatisfying(
            ProcessException.class, e -> assertThat(e.kind()).isEqualTo(Kind.INVALID_REQUEST));
    assertThatThrownBy(() -> fixture.run("echo", "a\0b"))
        .isInstanceOfSatisfying(
            ProcessException.class, e -> assertThat(e.kind()).isEqualTo(Kind.INVALID_REQUEST));
  }

  @Test
  void stdinIsDevNull() throws Exception {
    ExecResult result = fixture.run("sh", "-c", "readlink /proc/self/fd/0; cat; echo done");

    assertThat(stdout(result)).isEqualTo("/dev/null\ndone\n");
  }

  @Test
  void theChildHasNoDescriptorButTheStandardThree() throws Exception {
    assertThat(stdout(fixture.run("ls", "/proc/self/fd"))).isEqualTo("0\n1\n2\n3\n");
  }

  @Test
  void eachExecutionLeadsItsOwnSessionAndProcessGroup() throws Exception {
    String[] stat = stdout(fixture.run("cat", "/proc/self/stat")).split(" ");

    assertThat(stat[4]).as("process group").isEqualTo(stat[0]);
    assertThat(stat[5]).as("session").isEqualTo(stat[0]);
  }
}
