package io.procgate.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.procgate.client.api.BrowserProcessesApi;
import io.procgate.client.model.Browser;
import io.procgate.client.model.BrowserCreateRequest;
import io.procgate.client.model.ProcessExecRequest;
import io.procgate.client.model.ProcessExecResult;
import io.procgate.testing.CdpConnection;
import io.procgate.testing.Processes;
import io.procgate.testing.ServerProcess;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Each session in a cgroup of its own, on this machine's cgroups: what leaves its process group
 * still ends with the session, and no session can starve or sink the others.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
class ContainmentIT {
  private ServerProcess server;
  private BrowserProcessesApi processes;

  @BeforeAll
  void start() throws Exception {
    Map<String, String> settings = ServerProcess.testSettings();
    // Room for a browser (a few hundred threads, some 250 MiB), not for a hog or a bomb.
    settings.put("procgate.containment.memory-limit", "1G");
    settings.put("procgate.containment.tasks-limit", "1024");
    settings.put("procgate.containment.required", "true");
    server = ServerProcess.start(settings);
    processes = server.processes();
  }

  @AfterAll
  void stop() throws Exception {
    server.close();
  }

  private String exec(Browser session, String command) throws Exception {
    ProcessExecResult result =
        processes.processExec(
            session.getSessionId(), new ProcessExecRequest().command(command).timeoutSec(60));
    return new String(Base64.getDecoder().decode(result.getStdoutB64()), StandardCharsets.UTF_8);
  }

  @Test
  void whatLeftItsProcessGroupEndsWithItsSession() throws Exception {
    Browser session = server.browsers().createBrowser(new BrowserCreateRequest());
    long escapee =
        Long.parseLong(
            exec(session, "setsid sleep 617 </dev/null >/dev/null 2>&1 & echo $!").strip());
    long daemon =
        Long.parseLong(
            exec(session, "(setsid sh -c 'sleep 618 & echo $!' </dev/null 2>/dev/null &) | head -1")
                .strip());
    assertThat(Processes.alive(escapee)).isTrue();
    await().until(() -> Processes.alive(daemon));
    assertThat(Processes.stat(escapee).pgrp()).isNotEqualTo(Processes.stat(daemon).pgrp());

    server.browsers().deleteBrowser(session.getSessionId());

    assertThat(Processes.alive(escapee)).isFalse();
    assertThat(Processes.alive(daemon)).isFalse();
  }

  @Test
  void theSessionReportsItsMemoryAndProcessesFromItsCgroup() throws Exception {
    Browser session = server.browsers().createBrowser(new BrowserCreateRequest());
    try {
      int browserProcesses = session.getUsage().getProcessCount();
      assertThat(browserProcesses).as("the browser's processes").isGreaterThan(3);
      // An idle Chromium's cgroup charge: 45 to 200 MiB seen, depending on what it has loaded yet.
      assertThat(session.getUsage().getMemoryBytes()).isGreaterThan(16L << 20);

      exec(session, "sleep 60 >/dev/null 2>&1 &");

      Browser later = server.browsers().getBrowser(session.getSessionId());
      // Chromium may start more helpers meanwhile: the background sleep counts beside them.
      assertThat(later.getUsage().getProcessCount()).isGreaterThanOrEqualTo(browserProcesses + 1);
      assertThat(later.getUsage().getUptimeMs()).isPositive();
    } finally {
      server.browsers().deleteBrowser(session.getSessionId());
    }
  }

  @Test
  void aForkBombHitsItsOwnLimitWhileTheServerAndAnotherSessionAnswer() throws Exception {
    Browser bombed = server.browsers().createBrowser(new BrowserCreateRequest());
    Browser other = server.browsers().createBrowser(new BrowserCreateRequest());
    try {
      CompletableFuture<ProcessExecResult> bomb =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return processes.processExec(
                      bombed.getSessionId(),
                      new ProcessExecRequest().command("b() { b & b & wait; }; b").timeoutSec(10));
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  server.browsers().getBrowser(bombed.getSessionId()).getUsage().getProcessCount()
                      > 700);

      assertThat(exec(other, "echo still here")).isEqualTo("still here\n");
      try (CdpConnection cdp = CdpConnection.open(other.getCdpWsUrl())) {
        assertThat(cdp.call("Browser.getVersion", CdpConnection.params()).has("product")).isTrue();
      }
      // The exec answers (how the bomb's own shell ends depends on which of its forks failed),
      // and what the bomb left waiting stays within the limit.
      assertThat(bomb.get(60, TimeUnit.SECONDS)).isNotNull();
      assertThat(server.browsers().getBrowser(bombed.getSessionId()).getUsage().getProcessCount())
          .isLessThanOrEqualTo(1024);
    } finally {
      server.browsers().deleteBrowser(bombed.getSessionId());
      server.browsers().deleteBrowser(other.getSessionId());
    }
  }

  @Test
  void aProcessPastTheMemoryLimitIsKilledInsideItsSessionAndTheRestLives() throws Exception {
    Browser hogging = server.browsers().createBrowser(new BrowserCreateRequest());
    Browser other = server.browsers().createBrowser(new BrowserCreateRequest());
    try {
      ProcessExecResult hog =
          processes.processExec(
              hogging.getSessionId(),
              new ProcessExecRequest()
                  .command("x=$(head -c 1500000000 /dev/zero | tr '\\0' a); echo survived")
                  .timeoutSec(60));

      assertThat(hog.getSignal()).isEqualTo("SIGKILL");
      assertThat(hog.getExitCode()).isEqualTo(137);
      assertThat(new String(Base64.getDecoder().decode(hog.getStdoutB64())))
          .doesNotContain("survived");
      assertThat(exec(hogging, "echo after")).isEqualTo("after\n");
      assertThat(exec(other, "echo untouched")).isEqualTo("untouched\n");
      assertThat(server.browsers().getBrowser(hogging.getSessionId()).getBrowserState())
          .isEqualTo(Browser.BrowserStateEnum.RUNNING);
    } finally {
      server.browsers().deleteBrowser(hogging.getSessionId());
      server.browsers().deleteBrowser(other.getSessionId());
    }
  }

  @Test
  void withoutCgroupsTheServerSaysSoAndRequiredContainmentRefusesToStart() throws Exception {
    Map<String, String> settings = ServerProcess.testSettings();
    settings.put("procgate.containment.mechanism", "none");
    try (ServerProcess groupsOnly = ServerProcess.start(settings)) {
      assertThat(groupsOnly.log().split("contained by process groups only", -1)).hasSize(2);
      Browser session = groupsOnly.browsers().createBrowser(new BrowserCreateRequest());
      assertThat(session.getUsage().getMemoryBytes()).isNull();
      groupsOnly.browsers().deleteBrowser(session.getSessionId());
    }
    settings.put("procgate.containment.required", "true");
    assertThatThrownBy(() -> ServerProcess.start(settings).close())
        .hasMessageContaining("containment is required");
  }
}
