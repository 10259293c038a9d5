package io.procgate.server.resource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.procgate.core.ProcessException;
import io.procgate.core.ProcessExecutor;
import io.procgate.core.browser.Browser;
import io.procgate.core.browser.DevToolsEndpoint;
import io.procgate.core.playwright.PlaywrightResult;
import io.procgate.core.playwright.PlaywrightRunner;
import io.procgate.server.api.BrowserPlaywrightApi;
import io.procgate.server.api.model.PlaywrightExecuteRequest;
import io.procgate.server.api.model.PlaywrightExecuteResult;
import io.procgate.server.config.ProcgateConfig;
import io.procgate.server.error.ApiException;
import io.procgate.server.error.ErrorCode;
import io.procgate.server.mapping.Required;
import io.procgate.server.session.Session;
import io.procgate.server.session.SessionRegistry;
import io.procgate.server.validation.Validated;
import java.io.IOException;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/** Playwright code against a session's browser, run by a Node.js process of the session. */
@Validated
public class BrowserPlaywrightResource implements BrowserPlaywrightApi {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final SessionRegistry sessions;
  private final ProcgateConfig.Playwright settings;
  private final Optional<PlaywrightRunner> runner;

  BrowserPlaywrightResource(
      SessionRegistry sessions, ProcessExecutor executor, ProcgateConfig config) {
    this.sessions = sessions;
    this.settings = config.playwright();
    this.runner = settings.modules().map(modules -> new PlaywrightRunner(executor, modules));
  }

  @Override
  public CompletionStage<PlaywrightExecuteResult> playwrightExecute(
      String id, PlaywrightExecuteRequest request) {
    String code = Required.value("code", request.getCode());
    int timeout = Required.value("timeout_sec", request.getTimeoutSec());
    PlaywrightRunner playwright =
        runner
            .filter(PlaywrightRunner::installed)
            .orElseThrow(
                () ->
                    new ApiException(
                        ErrorCode.PLAYWRIGHT_UNAVAILABLE,
                        settings.modules().isEmpty()
                            ? "no playwright-core here: set procgate.playwright.modules to a"
                                + " node_modules directory that holds it"
                            : "no playwright-core in " + settings.modules().get()));
    return sessions.using(
        id,
        session -> {
          try {
            return playwright
                .run(
                    endpoint(session),
                    session.launchRequest(settings.node()),
                    session.processes(),
                    session.workDir(),
                    code,
                    timeout)
                .handle(
                    (run, failure) -> {
                      if (failure != null) {
                        throw noNode(
                            failure instanceof CompletionException && failure.getCause() != null
                                ? failure.getCause()
                                : failure);
                      }
                      return toDto(run);
                    });
          } catch (ProcessException e) {
            throw noNode(e);
          }
        });
  }

  /** A Node.js that is not there is this feature's absence, not a bad request. */
  private static RuntimeException noNode(Throwable failure) {
    if (failure instanceof ProcessException refused
        && refused.kind() == ProcessException.Kind.COMMAND_NOT_FOUND) {
      return new ApiException(
          ErrorCode.PLAYWRIGHT_UNAVAILABLE,
          "no Node.js here: " + refused.getMessage() + " (procgate.playwright.node)");
    }
    return failure instanceof RuntimeException runtime ? runtime : new CompletionException(failure);
  }

  private static DevToolsEndpoint endpoint(Session session) {
    Browser browser =
        session
            .browser()
            .orElseThrow(
                () -> new ApiException(ErrorCode.BROWSER_NOT_FOUND, "this session has no browser"));
    return browser
        .endpoint()
        .orElseThrow(
            () ->
                new ApiException(
                    ErrorCode.BROWSER_UNAVAILABLE,
                    "the session's browser is " + browser.state().name().toLowerCase(Locale.ROOT)));
  }

  private static PlaywrightExecuteResult toDto(PlaywrightResult run) {
    PlaywrightExecuteResult result =
        new PlaywrightExecuteResult().stdout(run.stdout()).stderr(run.stderr());
    if (run.outcome().isEmpty()) {
      return result.success(false).error(run.failure().orElse("the code did not finish"));
    }
    try {
      JsonNode outcome = JSON.readTree(run.outcome().get());
      result.success(outcome.path("success").asBoolean(false));
      if (outcome.has("result")) {
        result.result(JSON.treeToValue(outcome.get("result"), Object.class));
      }
      if (outcome.hasNonNull("error")) {
        result.error(outcome.get("error").asText());
      }
      return result;
    } catch (IOException e) {
      return result.success(false).error("the runner's report was not JSON");
    }
  }
}
