package io.procgate.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.procgate.client.ApiException;
import io.procgate.client.ApiResponse;
import io.procgate.client.api.BrowsersApi;
import io.procgate.client.model.Browser;
import io.procgate.client.model.BrowserCreateRequest;
import io.procgate.client.model.BrowserViewport;
import io.procgate.client.model.ProcessExecRequest;
import io.procgate.client.model.ProcessExecResult;
import io.procgate.testing.ServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Browser sessions over real HTTP, through the generated client. */
@ExtendWith(SharedServer.class)
@Timeout(60)
class SessionsIT {
  private final ServerProcess server;
  private final BrowsersApi browsers;

  SessionsIT(ServerProcess server) {
    this.server = server;
    this.browsers = server.browsers();
  }

  @Test
  void aNewSessionHasKernelsShapeAndAPrivateDirectory() throws Exception {
    Browser session =
        browsers.createBrowser(
            new BrowserCreateRequest()
                .name("shape-check")
                .headless(true)
                .stealth(true)
                .timeoutSeconds(300)
                .viewport(new BrowserViewport().width(1280).height(800)));
    try {
      assertThat(session.getSessionId()).matches("[a-z0-9]{24}");
      assertThat(session.getCreatedAt()).isBefore(OffsetDateTime.now().plusSeconds(1));
      assertThat(session.getName()).isEqualTo("shape-check");
      assertThat(session.getHeadless()).isTrue();
      assertThat(session.getStealth()).isTrue();
      assertThat(session.getTimeoutSeconds()).isEqualTo(300);
      assertThat(session.getCdpWsUrl())
          .isEqualTo(
              "ws://127.0.0.1:"
                  + server.baseUri().getPort()
                  + "/cdp/"
                  + session.getSessionId()
                  + session.getCdpWsUrl().substring(session.getCdpWsUrl().indexOf('?')));
      assertThat(session.getWebdriverWsUrl()).isEmpty();
      assertThat(session.getBrowserState()).isEqualTo(Browser.BrowserStateEnum.RUNNING);
      assertThat(session.getDownloadsDir()).isEqualTo(session.getWorkDir() + "/downloads");
      assertThat(session.getViewport().getWidth()).isEqualTo(1280);
      Path workDir = Path.of(session.getWorkDir());
      assertThat(workDir.getParent()).isEqualTo(server.sessionsRoot().toRealPath());
      assertThat(Files.isDirectory(workDir)).isTrue();
      // The server's, the session's account's group, the sticky bit; nobody else's to enter.
      assertThat(Files.getAttribute(workDir, "unix:mode")).isEqualTo(041770);
      assertThat(Files.getAttribute(workDir, "unix:uid")).isEqualTo(0);
      assertThat(Files.getAttribute(workDir, "unix:gid")).isNotEqualTo(0);
      assertThat(Files.getAttribute(server.sessionsRoot(), "unix:mode")).isEqualTo(040711);
    } finally {
      browsers.deleteBrowser(session.getSessionId());
    }
  }

  @Test
  void defaultsApplyWithoutABody() throws Exception {
    Browser session = browsers.createBrowser(null);
    try {
      // Kernel's default is headful; this server's configured default is headless.
      assertThat(session.getHeadless()).isTrue();
      assertThat(session.getStealth()).isFalse();
      assertThat(session.getTimeoutSeconds()).isEqualTo(60);
      assertThat(session.getName()).isNull();
    } finally {
      browsers.deleteBrowser(session.getSessionId());
    }
  }

  @Test
  void aSessionIsFoundByIdAndByNameAndDeletedByEither() throws Exception {
    Browser created = browsers.createBrowser(new BrowserCreateRequest().name("find-me"));

    assertThat(browsers.getBrowser(created.getSessionId()).getName()).isEqualTo("find-me");
    assertThat(browsers.getBrowser("find-me").getSessionId()).isEqualTo(created.getSessionId());

    browsers.deleteBrowser("find-me");

    assertThat(Path.of(created.getWorkDir())).doesNotExist();
    for (String idOrName : List.of(created.getSessionId(), "find-me")) {
      assertThatThrownBy(() -> browsers.getBrowser(idOrName))
          .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getCode()).isEqualTo(404));
      assertThatThrownBy(() -> browsers.deleteBrowser(idOrName))
          .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getCode()).isEqualTo(404));
    }
  }

  @Test
  void namesAreUnique() throws Exception {
    Browser first = browsers.createBrowser(new BrowserCreateRequest().name("only-once"));
    try {
      assertThatThrownBy(() -> browsers.createBrowser(new BrowserCreateRequest().name("only-once")))
          .isInstanceOfSatisfying(
              ApiException.class,
              e -> {
                assertThat(e.getCode()).isEqualTo(409);
                assertThat(e.getResponseBody()).contains("\"code\":\"name_taken\"");
                assertThat(e.getResponseHeaders().firstValue("x-should-retry")).contains("false");
              });
    } finally {
      browsers.deleteBrowser(first.getSessionId());
    }
  }

  @Test
  void anIdleSessionIsDeletedAfterItsTimeoutButNotWhileAnExecRuns() throws Exception {
    Browser idle = browsers.createBrowser(new BrowserCreateRequest().timeoutSeconds(10));
    Browser busy = browsers.createBrowser(new BrowserCreateRequest().timeoutSeconds(10));
    CompletableFuture<ProcessExecResult> longExec =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return server
                    .processes()
                    .processExec(
                        busy.getSessionId(),
                        new ProcessExecRequest()
                            .command("sleep")
                            .args(List.of("16"))
                            .timeoutSec(60));
              } catch (ApiException e) {
                throw new IllegalStateException(e);
              }
            });

    // Watch the directory: asking the API about the session is not activity, but stay out of it.
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> !Files.exists(Path.of(idle.getWorkDir())));

    assertThatThrownBy(() -> browsers.getBrowser(idle.getSessionId()))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getCode()).isEqualTo(404));
    assertThat(longExec.get(30, TimeUnit.SECONDS).getExitCode()).isZero();
    assertThat(browsers.getBrowser(busy.getSessionId()).getSessionId())
        .isEqualTo(busy.getSessionId());
    browsers.deleteBrowser(busy.getSessionId());
  }

  @Test
  void listingPagesThroughEverySessionInCreationOrder() throws Exception {
    List<String> created = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      created.add(
          browsers.createBrowser(new BrowserCreateRequest().name("page-" + i)).getSessionId());
    }
    try {
      List<String> seen = new ArrayList<>();
      int offset = 0;
      while (true) {
        ApiResponse<List<Browser>> page = browsers.listBrowsersWithHttpInfo(offset, 2);
        page.getData().forEach(b -> seen.add(b.getSessionId()));
        Map<String, List<String>> headers = page.getHeaders();
        boolean hasMore = Boolean.parseBoolean(headers.get("x-has-more").get(0));
        int next = Integer.parseInt(headers.get("x-next-offset").get(0));
        assertThat(page.getData()).hasSizeLessThanOrEqualTo(2);
        if (!hasMore) {
          assertThat(next).isZero();
          break;
        }
        assertThat(next).isEqualTo(offset + page.getData().size());
        offset = next;
      }
      assertThat(seen).containsSubsequence(created);
    } finally {
      for (String id : created) {
        browsers.deleteBrowser(id);
      }
    }
  }
}
