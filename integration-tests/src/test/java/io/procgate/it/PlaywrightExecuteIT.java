package io.procgate.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.procgate.client.ApiException;
import io.procgate.client.api.BrowserPlaywrightApi;
import io.procgate.client.api.BrowsersApi;
import io.procgate.client.model.Browser;
import io.procgate.client.model.BrowserCreateRequest;
import io.procgate.client.model.PlaywrightExecuteRequest;
import io.procgate.client.model.PlaywrightExecuteResult;
import io.procgate.testing.ServerProcess;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Kernel's playwright.execute: code run by Node.js beside the session's browser. */
@ExtendWith(SharedServer.class)
@Timeout(180)
class PlaywrightExecuteIT {
  private final ServerProcess server;
  private final BrowsersApi browsers;
  private final BrowserPlaywrightApi playwright;
  private Browser session;

  PlaywrightExecuteIT(ServerProcess server) throws Exception {
    this.server = server;
    this.browsers = new BrowsersApi(server.client());
    this.playwright = new BrowserPlaywrightApi(server.client());
    SdkCompatibilityIT.installSdk(Path.of(System.getProperty("procgate.sdk.dir")));
  }

  @BeforeEach
  void create() throws Exception {
    session = browsers.createBrowser(new BrowserCreateRequest());
  }

  @AfterEach
  void delete() throws Exception {
    browsers.deleteBrowser(session.getSessionId());
  }

  @Test
  void theCodeDrivesThePageAndItsResultAndOutputComeBack() throws Exception {
    PlaywrightExecuteResult run =
        execute(
            "await page.goto('data:text/html,<title>From Playwright</title>');"
                + " console.log('one'); console.error('two');"
                + " return { title: await page.title(), n: 42 };",
            null);

    assertThat(run.getSuccess()).as(run.toString()).isTrue();
    assertThat(run.getResult()).isEqualTo(Map.of("title", "From Playwright", "n", 42));
    assertThat(run.getStdout()).isEqualTo("one\n");
    assertThat(run.getStderr()).contains("two");

    // The page stays as the code left it, for the next run and for CDP clients.
    assertThat(execute("return page.url();", null).getResult()).asString().startsWith("data:");
    assertThat(execute("console.log('nothing returned');", null).getResult()).isNull();
  }

  @Test
  void codeThatThrowsOrRunsTooLongFailsWithWhy() throws Exception {
    PlaywrightExecuteResult thrown = execute("throw new Error('on purpose');", null);
    assertThat(thrown.getSuccess()).isFalse();
    assertThat(thrown.getError()).contains("on purpose");

    PlaywrightExecuteResult syntax = execute("return (;", null);
    assertThat(syntax.getSuccess()).isFalse();
    assertThat(syntax.getError()).contains("SyntaxError");

    PlaywrightExecuteResult slow =
        execute("console.log('started'); await new Promise(r => setTimeout(r, 30000));", 2);
    assertThat(slow.getSuccess()).isFalse();
    assertThat(slow.getError()).isEqualTo("the code ran out of its 2 s");
    assertThat(slow.getStdout()).isEqualTo("started\n");

    // The session goes on.
    assertThat(execute("return 1 + 1;", null).getResult()).isEqualTo(2);
  }

  @Test
  void badRequestsAndAServerWithoutPlaywrightAreRefused() throws Exception {
    ApiException empty =
        assertThrows(
            ApiException.class,
            () ->
                playwright.playwrightExecute(
                    session.getSessionId(), new PlaywrightExecuteRequest().code("")));
    assertThat(empty.getCode()).isEqualTo(400);
    ApiException tooLong =
        assertThrows(
            ApiException.class,
            () ->
                playwright.playwrightExecute(
                    session.getSessionId(),
                    new PlaywrightExecuteRequest().code("return 1;").timeoutSec(601)));
    assertThat(tooLong.getResponseBody()).contains("validation_failed", "timeout_sec");

    Map<String, String> noModules = ServerProcess.testSettings();
    noModules.remove("procgate.playwright.modules");
    noModules.put("procgate.browser.executable", "/nonexistent/chromium");
    assertUnavailable(noModules, "procgate.playwright.modules");

    // playwright-core there, but no Node.js.
    Map<String, String> noNode = ServerProcess.testSettings();
    noNode.put("procgate.playwright.node", "/nonexistent/node");
    assertUnavailable(noNode, "Node.js");
  }

  /** A server with {@code settings} answers 503 playwright_unavailable, saying {@code why}. */
  private static void assertUnavailable(Map<String, String> settings, String why) throws Exception {
    try (ServerProcess bare = ServerProcess.start(settings)) {
      Browser other = bare.browsers().createBrowser(new BrowserCreateRequest());
      ApiException unavailable =
          assertThrows(
              ApiException.class,
              () ->
                  new BrowserPlaywrightApi(bare.client())
                      .playwrightExecute(
                          other.getSessionId(), new PlaywrightExecuteRequest().code("return 1;")));
      assertThat(unavailable.getCode()).as(unavailable.getResponseBody()).isEqualTo(503);
      assertThat(unavailable.getResponseBody()).contains("playwright_unavailable", why);
    }
  }

  private PlaywrightExecuteResult execute(String code, Integer timeout) throws Exception {
    PlaywrightExecuteRequest request = new PlaywrightExecuteRequest().code(code);
    if (timeout != null) {
      request.timeoutSec(timeout);
    }
    return playwright.playwrightExecute(session.getSessionId(), request);
  }
}
