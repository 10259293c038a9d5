package io.procgate.core.browser;

import io.procgate.core.Account;
import io.procgate.core.LaunchRequest;
import io.procgate.core.ProcessException;
import io.procgate.core.ProcessExecutor;
import io.procgate.core.ProcessTable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Starts sessions' browsers. One per executor; thread-safe.
 *
 * <p>Chromium runs as the executor's default user, with its own sandbox unless that user is root or
 * the host allows no unprivileged user namespaces; with debugging on a free loopback port; with its
 * profile, home, temporary files and downloads inside the session's directory; and without the
 * background traffic (updates, sync, metrics) that a closed network refuses.
 */
public final class Browsers implements AutoCloseable {
  private static final Set<String> START_URL_SCHEMES =
      Set.of("http", "https", "file", "about", "data");
  // RFC 3986's scheme, read leniently: data URLs are rarely valid URIs to java.net.URI.
  private static final Pattern SCHEME = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*):");
  private static final Pattern VERSION = Pattern.compile("(\\d+)\\.\\d+\\.\\d+\\.\\d+");

  private final ProcessExecutor executor;
  private final BrowserSettings settings;
  private final boolean userNamespaces;
  private final DevToolsProbe probe = new DevToolsProbe();
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          runnable -> {
            Thread thread = new Thread(runnable, "procgate-browser-timer");
            thread.setDaemon(true);
            return thread;
          });
  // The user agent of a stealth browser, learnt once from the binary.
  private CompletableFuture<String> stealthUserAgent;

  public Browsers(ProcessExecutor executor, BrowserSettings settings) {
    this.executor = executor;
    this.settings = settings;
    this.userNamespaces = Sandbox.userNamespaces(executor);
  }

  public BrowserSettings settings() {
    return settings;
  }

  /** Whether sessions' Chromium runs with its own sandbox here. */
  public boolean sandboxed() {
    return userNamespaces
        && (executor.ownersHaveOwnAccounts() || executor.defaultAccount().uid() != 0);
  }

  /** Whether Chromium can run with its own sandbox as {@code user}, which it refuses for root. */
  boolean sandboxed(Account user) {
    return userNamespaces && user.uid() != 0;
  }

  /**
   * Starts a session's browser; its directories go inside {@code sessionDir}.
   *
   * @return completes once the browser has answered over CDP; fails with a {@link ProcessException}
   *     when it cannot start within the settings' timeout, in which case nothing of it is left
   *     running
   * @throws ProcessException when the spec cannot be run here: a bad start URL, or headful without
   *     Xvfb
   */
  public CompletableFuture<Browser> start(BrowserSpec spec, ProcessTable owner, Path sessionDir) {
    requireRunnable(spec);
    BrowserDirectories dirs;
    try {
      dirs = BrowserDirectories.create(sessionDir, owner.account());
    } catch (IOException e) {
      return CompletableFuture.failedFuture(
          new ProcessException(
              ProcessException.Kind.SYSTEM_FAILURE,
              "cannot create the browser's directories: " + e,
              e));
    }
    return (spec.stealth() ? stealthUserAgent() : CompletableFuture.completedFuture(""))
        .thenCompose(userAgent -> new Browser(this, spec, owner, dirs, userAgent).start());
  }

  /**
   * Checks that {@code spec} can be run here, before anything is made for it.
   *
   * @throws ProcessException when it cannot: a bad start URL, or headful without Xvfb
   */
  public void requireRunnable(BrowserSpec spec) {
    spec.startUrl().ifPresent(Browsers::requireStartUrl);
    if (!spec.headless() && !settings.headfulSupported()) {
      throw new ProcessException(
          ProcessException.Kind.HEADFUL_UNAVAILABLE,
          "a headful browser needs Xvfb, and "
              + settings.xvfb()
              + " is not installed; create the session with headless true");
    }
  }

  private synchronized CompletableFuture<String> stealthUserAgent() {
    if (stealthUserAgent == null || stealthUserAgent.isCompletedExceptionally()) {
      stealthUserAgent = userAgent();
    }
    return stealthUserAgent;
  }

  private static void requireStartUrl(String url) {
    Matcher scheme = SCHEME.matcher(url);
    if (!scheme.lookingAt()
        || !START_URL_SCHEMES.contains(scheme.group(1).toLowerCase(Locale.ROOT))) {
      throw new ProcessException(
          ProcessException.Kind.INVALID_REQUEST,
          "start_url must be an absolute http, https, file, data or about URL");
    }
  }

  /** Chromium's command line for {@code spec}. */
  List<String> arguments(
      BrowserSpec spec, BrowserDirectories dirs, String userAgent, boolean sandbox) {
    List<String> args = new ArrayList<>();
    args.add("--remote-debugging-port=0");
    args.add("--remote-debugging-address=" + DevToolsEndpoint.HOST);
    args.add("--user-data-dir=" + dirs.profile());
    args.add("--window-size=" + spec.width() + "," + spec.height());
    if (spec.headless()) {
      args.add("--headless=new");
    }
    if (!sandbox) {
      args.add("--no-sandbox");
    }
    if (spec.stealth()) {
      args.add("--user-agent=" + userAgent);
      args.add("--disable-blink-features=AutomationControlled");
    }
    args.addAll(
        List.of(
            "--no-first-run",
            "--no-default-browser-check",
            "--password-store=basic",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-breakpad",
            "--disable-dev-shm-usage",
            "--disable-gpu",
            "--mute-audio",
            "--hide-scrollbars",
            "--disable-popup-blocking"));
    args.addAll(settings.extraFlags());
    // After every flag: a start URL that looks like one is taken as the page to open.
    args.add("--");
    args.add(spec.startUrl().orElse("about:blank"));
    return args;
  }

  /**
   * A desktop Chrome's user agent for this Chromium's major version, as Chrome itself reports it
   * (minor parts zeroed), without the {@code HeadlessChrome} a headless one sends.
   */
  private CompletableFuture<String> userAgent() {
    ProcessTable own = executor.newTable();
    return executor
        .exec(
            LaunchRequest.builder(settings.executable().toString(), Path.of("/"))
                .args("--version")
                .build(),
            own)
        .result()
        .thenApply(
            result -> {
              executor.terminateAll(own);
              String version = new String(result.stdout().bytes(), StandardCharsets.UTF_8);
              Matcher matcher = VERSION.matcher(version);
              if (!matcher.find()) {
                throw new ProcessException(
                    ProcessException.Kind.BROWSER_FAILED,
                    "cannot tell the version of "
                        + settings.executable()
                        + " from: "
                        + version.strip());
              }
              return "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/"
                  + matcher.group(1)
                  + ".0.0.0 Safari/537.36";
            });
  }

  ProcessExecutor executor() {
    return executor;
  }

  DevToolsProbe probe() {
    return probe;
  }

  ScheduledExecutorService timer() {
    return timer;
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
