package io.procgate.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.procgate.client.api.BrowserProcessesApi;
import io.procgate.client.api.BrowsersApi;
import io.procgate.client.model.Browser;
import io.procgate.client.model.BrowserCreateRequest;
import io.procgate.client.model.ProcessExecRequest;
import io.procgate.client.model.ProcessExecResult;
import io.procgate.testing.Processes;
import io.procgate.testing.ServerProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Synchronous execution over real HTTP, through the generated client. */
@ExtendWith(SharedServer.class)
@Timeout(120)
class ExecIT {
  private final ServerProcess server;
  private final BrowsersApi browsers;
  private final BrowserProcessesApi processes;
  private Browser session;

  ExecIT(ServerProcess server) {
    this.server = server;
    this.browsers = server.browsers();
    this.processes = server.processes();
  }

  @BeforeEach
  void createSession() throws Exception {
    session = browsers.createBrowser(new BrowserCreateRequest());
  }

  @AfterEach
  void deleteSession() throws Exception {
    browsers.deleteBrowser(session.getSessionId());
  }

  private ProcessExecResult exec(ProcessExecRequest request) throws Exception {
    return processes.processExec(session.getSessionId(), request);
  }

  private ProcessExecResult exec(String command, String... args) throws Exception {
    return exec(new ProcessExecRequest().command(command).args(List.of(args)));
  }

  private static byte[] stdout(ProcessExecResult result) {
    return Base64.getDecoder().decode(result.getStdoutB64());
  }

  private static String stdoutText(ProcessExecResult result) {
    return new String(stdout(result), StandardCharsets.UTF_8);
  }

  private static String stderrText(ProcessExecResult result) {
    return new String(Base64.getDecoder().decode(result.getStderrB64()), StandardCharsets.UTF_8);
  }

  @Test
  void unameRunsAndReportsItsExitCodeAndDuration() throws Exception {
    ProcessExecResult result = exec("uname", "-a");

    assertThat(result.getExitCode()).isZero();
    assertThat(stdoutText(result)).startsWith("Linux ");
    assertThat(result.getTimedOut()).isFalse();
    assertThat(result.getSignal()).isNull();
    assertThat(result.getDurationMs()).isBetween(0, 5_000);
  }

  @Test
  void exitCodesArePassedThrough() throws Exception {
    assertThat(exec("sh", "-c", "exit 3").getExitCode()).isEqualTo(3);
    assertThat(exec("false").getExitCode()).isEqualTo(1);
    ProcessExecResult killed = exec("sh", "-c", "kill -KILL $$");
    assertThat(killed.getExitCode()).isEqualTo(137);
    assertThat(killed.getSignal()).isEqualTo("SIGKILL");
  }

  @Test
  void stdoutAndStderrCarryAll256ByteValues() throws Exception {
    byte[] all = new byte[256];
    for (int i = 0; i < all.length; i++) {
      all[i] = (byte) i;
    }
    Files.write(Path.of(session.getWorkDir(), "bytes"), all);

    ProcessExecResult result = exec("cat bytes; cat bytes >&2");

    assertThat(stdout(result)).isEqualTo(all);
    assertThat(Base64.getDecoder().decode(result.getStderrB64())).isEqualTo(all);
  }

  @Test
  void outputsOfEveryLengthAroundTheEncodersPiecesAndTheCapturesBlocksArriveIntact()
      throws Exception {
    byte[] random = new byte[200_000];
    new Random(7).nextBytes(random);
    Files.write(Path.of(session.getWorkDir(), "random"), random);

    // The server encodes 12,288 bytes at a time and captures in blocks of 64 KiB.
    for (int length : new int[] {0, 1, 2, 3, 4, 12_287, 12_288, 12_289, 65_536, 65_537, 200_000}) {
      ProcessExecResult result =
          exec("sh", "-c", "head -c " + length + " random; head -c " + length + " random >&2");

      byte[] expected = Arrays.copyOf(random, length);
      assertThat(stdout(result)).as("stdout of %d bytes", length).isEqualTo(expected);
      assertThat(Base64.getDecoder().decode(result.getStderrB64()))
          .as("stderr of %d bytes", length)
          .isEqualTo(expected);
    }
  }

  @Test
  void argumentsWithSpacesQuotesAndGlobsArePassedVerbatim() throws Exception {
    Files.writeString(Path.of(session.getWorkDir(), "should-not-match.txt"), "x");

    ProcessExecResult result =
        exec(
            "printf", "<%s>", "two words", "it's", "\"double\"", "*.txt", "?", "$(id)", "`id`", "");

    assertThat(stdoutText(result))
        .isEqualTo("<two words><it's><\"double\"><*.txt><?><$(id)><`id`><>");
  }

  @Test
  void aCommandWithShellSyntaxRunsInTheShell() throws Exception {
    ProcessExecResult result = exec("echo one two | wc -w; echo $((6 * 7)) >&2");

    assertThat(stdoutText(result).trim()).isEqualTo("2");
    assertThat(stderrText(result)).isEqualTo("42\n");
  }

  @Test
  void theDefaultWorkingDirectoryIsTheSessionsAndAnExplicitOneIsUsed() throws Exception {
    assertThat(stdoutText(exec("pwd"))).isEqualTo(session.getWorkDir() + "\n");
    assertThat(stdoutText(exec(new ProcessExecRequest().command("pwd").cwd("/usr/bin"))))
        .isEqualTo("/usr/bin\n");
  }

  @Test
  void envIsSetAndOverridesTheBaseAndTheServersTokenNeverReachesTheChild() throws Exception {
    ProcessExecResult result =
        exec(
            new ProcessExecRequest()
                .command("env")
                .env(Map.of("GREETING", "hello world", "HOME", "/overridden")));

    String env = stdoutText(result);
    assertThat(env.lines())
        .contains(
            "GREETING=hello world",
            "HOME=/overridden",
            "PROCGATE_SESSION_ID=" + session.getSessionId())
        .anyMatch(line -> line.startsWith("PATH="))
        .noneMatch(line -> line.startsWith("KERNEL_API_KEY="))
        .noneMatch(line -> line.startsWith("JAVA_HOME="));
    assertThat(env).doesNotContain(server.token());
  }

  @Test
  void asUserRunsWithTheAccountsIdsGroupsAndHome() throws Exception {
    TestAccount.require();

    ProcessExecResult result =
        exec(
            new ProcessExecRequest()
                .command("id -u; id -Gn; echo $HOME $USER")
                .asUser(TestAccount.NAME));

    List<String> lines = stdoutText(result).lines().toList();
    assertThat(result.getExitCode()).isZero();
    assertThat(lines.get(0)).isNotEqualTo("0").matches("[0-9]+");
    assertThat(lines.get(1).split(" ")).contains(TestAccount.NAME, TestAccount.EXTRA_GROUP);
    assertThat(lines.get(2)).isEqualTo("/home/" + TestAccount.NAME + " " + TestAccount.NAME);
  }

  @Test
  void aTimeoutReturnsTheOutputSoFarAndLeavesNoProcessOfTheGroupAlive() throws Exception {
    ProcessExecResult result =
        exec(
            new ProcessExecRequest()
                .command("echo $$; sleep 60 & echo $!; echo partial >&2; wait")
                .timeoutSec(1));

    List<Long> pids = stdoutText(result).lines().map(Long::parseLong).toList();
    assertThat(result.getTimedOut()).isTrue();
    assertThat(result.getExitCode()).isEqualTo(143);
    assertThat(result.getSignal()).isEqualTo("SIGTERM");
    assertThat(stderrText(result)).isEqualTo("partial\n");
    long shell = pids.get(0);
    long grandchild = pids.get(1);
    await().atMost(Duration.ofSeconds(10)).until(() -> !Processes.alive(grandchild));
    await().atMost(Duration.ofSeconds(10)).until(() -> Processes.inGroup(shell).isEmpty());
  }

  @Test
  void aBackgroundGrandchildHoldingThePipeDoesNotHoldTheAnswer() throws Exception {
    long started = System.nanoTime();
    ProcessExecResult result = exec("sleep 60 & echo hi");

    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(1));
    assertThat(stdoutText(result)).isEqualTo("hi\n");
    assertThat(result.getTimedOut()).isFalse();
  }

  @Test
  void outputPastTheDefault16MibCapIsDroppedAndFlaggedAndTheClientReadsAFullResult()
      throws Exception {
    ProcessExecResult result = exec("head -c 20000000 /dev/zero; echo tail >&2");

    assertThat(stdout(result)).hasSize(16 * 1024 * 1024);
    assertThat(result.getStdoutTruncated()).isTrue();
    assertThat(result.getStdoutTotalBytes()).isEqualTo(20_000_000L);
    assertThat(result.getStderrTruncated()).isFalse();
    assertThat(stderrText(result)).isEqualTo("tail\n");
  }

  @Test
  void deletingTheSessionEndsItsRunningExecAndRemovesItsDirectory() throws Exception {
    Browser doomed = browsers.createBrowser(new BrowserCreateRequest());
    Path workDir = Path.of(doomed.getWorkDir());
    CompletableFuture<ProcessExecResult> running =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return processes.processExec(
                    doomed.getSessionId(),
                    new ProcessExecRequest().command("echo $$ > pid; exec sleep 60"));
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    Path pidFile = workDir.resolve("pid");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> Files.exists(pidFile) && Files.size(pidFile) > 0);
    long pid = Long.parseLong(Files.readString(pidFile).trim());

    browsers.deleteBrowser(doomed.getSessionId());

    ProcessExecResult result = running.get(20, TimeUnit.SECONDS);
    assertThat(result.getSignal()).isEqualTo("SIGTERM");
    assertThat(Processes.alive(pid)).isFalse();
    assertThat(workDir).doesNotExist();
  }
}
