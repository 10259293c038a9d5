package io.procgate.core.playwright;

import io.procgate.core.ExecResult;
import io.procgate.core.LaunchRequest;
import io.procgate.core.ProcessExecutor;
import io.procgate.core.ProcessTable;
import io.procgate.core.browser.DevToolsEndpoint;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * Runs Playwright code against a session's browser, in a Node.js process of the session that
 * connects to the browser over CDP with {@code playwright-core}: the process runs as the session's
 * other processes do, in its cgroup, for at most the request's timeout.
 */
public final class PlaywrightRunner {
  private static final String RUNNER = load();

  private final ProcessExecutor executor;
  private final Path modules;

  /** Runs code loading {@code playwright-core} from {@code modules}, a {@code node_modules}. */
  public PlaywrightRunner(ProcessExecutor executor, Path modules) {
    this.executor = executor;
    this.modules = modules;
  }

  /** Whether {@code playwright-core} is where it was said to be. */
  public boolean installed() {
    return Files.isRegularFile(modules.resolve("playwright-core/package.json"));
  }

  /**
   * Runs {@code code} against the browser at {@code endpoint} with {@code node}, a request for
   * Node.js as the session's processes get one, as a process of {@code owner}, its code staged in
   * {@code scratch}, for at most {@code timeoutSeconds}.
   */
  public CompletableFuture<PlaywrightResult> run(
      DevToolsEndpoint endpoint,
      LaunchRequest.Builder node,
      ProcessTable owner,
      Path scratch,
      String code,
      int timeoutSeconds) {
    String marker = "procgate-result-" + UUID.randomUUID() + ":";
    Path file = scratch.resolve("playwright-" + UUID.randomUUID() + ".js");
    try {
      Files.writeString(file, code, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return CompletableFuture.failedFuture(new UncheckedIOException(e));
    }
    LaunchRequest request =
        node.args("--input-type=module", "-e", RUNNER)
            .env(
                Map.of(
                    "PROCGATE_CDP_URL", endpoint.browserUri().toString(),
                    "PROCGATE_PLAYWRIGHT_MODULES", modules.toString(),
                    "PROCGATE_PLAYWRIGHT_CODE", file.toString(),
                    "PROCGATE_RESULT_MARKER", marker))
            .timeoutSeconds(timeoutSeconds)
            .build();
    return executor
        .exec(request, owner)
        .result()
        .thenApply(result -> outcome(result, marker, timeoutSeconds))
        .whenComplete((done, failure) -> file.toFile().delete());
  }

  private static PlaywrightResult outcome(ExecResult result, String marker, int timeoutSeconds) {
    String stdout = new String(result.stdout().bytes(), StandardCharsets.UTF_8);
    String stderr = new String(result.stderr().bytes(), StandardCharsets.UTF_8);
    int at = stdout.lastIndexOf("\n" + marker);
    if (result.timedOut() || at < 0) {
      String why =
          result.timedOut()
              ? "the code ran out of its " + timeoutSeconds + " s"
              : "Node.js ended before the code did (exit status "
                  + result.status().code()
                  + (result.status().signal() != 0 ? ", signal " + result.status().signal() : "")
                  + ")";
      return new PlaywrightResult(
          Optional.empty(), Optional.of(why), at < 0 ? stdout : stdout.substring(0, at), stderr);
    }
    String report = stdout.substring(at + 1 + marker.length()).strip();
    return new PlaywrightResult(
        Optional.of(report), Optional.empty(), stdout.substring(0, at), stderr);
  }

  private static String load() {
    try (InputStream in = PlaywrightRunner.class.getResourceAsStream("runner.mjs")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
