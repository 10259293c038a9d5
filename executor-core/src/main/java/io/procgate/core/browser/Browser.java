package io.procgate.core.browser;

import io.procgate.core.ExitStatus;
import io.procgate.core.LaunchRequest;
import io.procgate.core.ProcessException;
import io.procgate.core.ProcessTable;
import io.procgate.core.ServiceProcess;
import io.procgate.core.display.LiveView;
import io.procgate.core.display.Replays;
import io.procgate.core.display.Screen;
import io.procgate.core.display.XDisplay;
import io.procgate.core.internal.io.LastLines;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A session's browser: one Chromium, on a private X display of its own when headful, run as
 * services of the session (their own process groups, ended with the session). Started by {@link
 * Browsers#start}. When Chromium dies on its own it is started again after a back-off that doubles
 * each time, at most {@link BrowserSettings#maxRestarts()} times within the restart window; then it
 * is left {@link BrowserState#FAILED}.
 *
 * <p>Threading: every public method is safe from any thread. Listeners are called on whichever
 * thread changed the state (the executor's event loop, a timer, an HTTP client thread), one change
 * at a time, after the change; they must not block.
 */
public final class Browser {
  private static final System.Logger LOG = System.getLogger(Browser.class.getName());
  private static final Pattern DEVTOOLS =
      Pattern.compile(
          "^DevTools listening on ws://127\\.0\\.0\\.1:(\\d+)(/devtools/browser/\\S+)$");
  // What socat says at -d -d once its bridge listens.
  private static final Pattern BRIDGE_LISTENING = Pattern.compile(".* listening on .*");
  private static final Pattern DISPLAY_NUMBER = Pattern.compile("^\\d+$");
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
  private static final String CHROMIUM_LOG = "chromium";
  private static final String XVFB_LOG = "xvfb";
  // Chromium's last words, for the message when it cannot start.
  private static final int KEPT_LINES = 5;

  /** Hears every change of state. */
  @FunctionalInterface
  public interface Listener {
    void changed(Browser browser, BrowserState state);
  }

  private final Browsers browsers;
  private final BrowserSpec spec;
  private final ProcessTable owner;
  private final BrowserDirectories dirs;
  private final String userAgent;
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  private final Deque<Long> restartTimes = new ArrayDeque<>();
  private volatile BrowserState state = BrowserState.STARTING;
  private volatile DevToolsEndpoint endpoint;
  private volatile Integer display;
  private volatile Screen screen;
  private volatile Replays replays;
  private volatile LiveView liveView;
  private volatile int restarts;
  // Guarded by this.
  private ServiceProcess chromium;
  private ServiceProcess xvfb;
  // Where the session has a network of its own: the server's way in to Chromium's port.
  private ServiceProcess bridge;
  private boolean stopping;
  private final LastLines lastLines = new LastLines(KEPT_LINES);
  private final OutputLog chromiumLog;
  private final OutputLog xvfbLog;

  Browser(
      Browsers browsers,
      BrowserSpec spec,
      ProcessTable owner,
      BrowserDirectories dirs,
      String userAgent) {
    this.browsers = browsers;
    this.spec = spec;
    this.owner = owner;
    this.dirs = dirs;
    this.userAgent = userAgent;
    this.chromiumLog = new OutputLog(dirs.log(CHROMIUM_LOG));
    this.xvfbLog = new OutputLog(dirs.log(XVFB_LOG));
  }

  public BrowserState state() {
    return state;
  }

  /** Where it answers the DevTools protocol, while it runs. */
  public Optional<DevToolsEndpoint> endpoint() {
    return state == BrowserState.RUNNING ? Optional.ofNullable(endpoint) : Optional.empty();
  }

  /** The X display a headful browser draws on; empty when headless. */
  public Optional<XDisplay> display() {
    Integer number = display;
    return number == null
        ? Optional.empty()
        : Optional.of(new XDisplay(":" + number, dirs.xauthority()));
  }

  /**
   * The display of a headful browser, to be seen and driven with the mouse and keyboard; empty when
   * headless, or while its display has not started yet.
   */
  public Optional<Screen> screen() {
    Screen current = screen;
    if (current == null && display != null) {
      synchronized (this) {
        if (screen == null) {
          screen =
              new Screen(
                  browsers.executor(),
                  owner,
                  display().orElseThrow(),
                  spec.width(),
                  spec.height(),
                  dirs.tmp());
        }
        current = screen;
      }
    }
    return Optional.ofNullable(current);
  }

  /**
   * The recordings of a headful browser's screen; empty when headless, or while its display has not
   * started yet.
   */
  public Optional<Replays> replays() {
    Replays current = replays;
    if (current == null && display != null) {
      synchronized (this) {
        if (replays == null) {
          replays =
              new Replays(
                  browsers.executor(),
                  owner,
                  display().orElseThrow(),
                  spec.width(),
                  spec.height(),
                  dirs.replays(),
                  browsers.settings().replays());
        }
        current = replays;
      }
    }
    return Optional.ofNullable(current);
  }

  /**
   * The VNC servers of a headful browser's screen, for its live view; empty when headless, or while
   * its display has not started yet.
   */
  public Optional<LiveView> liveView() {
    LiveView current = liveView;
    if (current == null && display != null) {
      synchronized (this) {
        if (liveView == null) {
          liveView = new LiveView(browsers.executor(), owner, display().orElseThrow());
        }
        current = liveView;
      }
    }
    return Optional.ofNullable(current);
  }

  /**
   * The file that keeps the output of one of the browser's programs: {@code chromium}, or {@code
   * xvfb} when headful; empty for any other name.
   */
  public Optional<Path> log(String program) {
    if (program.equals(CHROMIUM_LOG) || (program.equals(XVFB_LOG) && !spec.headless())) {
      return Optional.of(dirs.log(program));
    }
    return Optional.empty();
  }

  /** Where downloads land; the session's processes may read it. */
  public Path downloads() {
    return dirs.downloads();
  }

  /** How often it was started again after dying on its own. */
  public int restarts() {
    return restarts;
  }

  public void addListener(Listener listener) {
    listeners.add(listener);
  }

  /**
   * Ends the browser and its display, for good.
   *
   * @return completes once their process groups are gone
   */
  public CompletableFuture<Void> close() {
    ServiceProcess browser;
    ServiceProcess xserver;
    ServiceProcess way;
    CompletableFuture<Void> helpers;
    synchronized (this) {
      if (stopping) {
        return CompletableFuture.completedFuture(null);
      }
      stopping = true;
      browser = chromium;
      xserver = xvfb;
      way = bridge;
      // What works on the display (a recording, the VNC servers, the pointer's hider) ends while
      // the display is still there: a recording so ended is whole.
      helpers = replays != null ? replays.close() : CompletableFuture.completedFuture(null);
      if (liveView != null) {
        helpers = CompletableFuture.allOf(helpers, liveView.close());
      }
      if (screen != null) {
        helpers = CompletableFuture.allOf(helpers, screen.close());
      }
    }
    // Chromium's crash handlers leave its process group; they share its home, which is the
    // session's.
    return helpers
        .handle((done, failure) -> null)
        .thenCompose(
            ended ->
                CompletableFuture.allOf(terminate(browser), terminate(xserver), terminate(way)))
        .thenCompose(ended -> browsers.executor().terminateByEnvironment("HOME=" + dirs.home()))
        .whenComplete(
            (done, failure) -> {
              chromiumLog.close();
              xvfbLog.close();
              changeState(BrowserState.STOPPED);
            });
  }

  /** The first start; completes once the browser answers over CDP, fails when it cannot. */
  CompletableFuture<Browser> start() {
    return launch()
        .orTimeout(browsers.settings().readyTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .handle(
            (ready, failure) -> {
              if (failure == null) {
                running();
                return this;
              }
              close();
              throw startFailure(failure);
            });
  }

  private ProcessException startFailure(Throwable failure) {
    Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
    String why =
        cause instanceof TimeoutException
            ? "it did not answer over CDP within "
                + browsers.settings().readyTimeout().toSeconds()
                + " s"
            : cause.getMessage();
    if (cause instanceof ProcessException refused
        && refused.kind() != ProcessException.Kind.SYSTEM_FAILURE) {
      return refused;
    }
    String said = lastLines.joined("; it said: ");
    return new ProcessException(
        ProcessException.Kind.BROWSER_FAILED,
        "the browser could not be started: " + why + said,
        cause);
  }

  /** Starts the display if one is needed and not running, then Chromium, and waits for CDP. */
  private CompletableFuture<Void> launch() {
    // Through stages, so that a refusal to start is a failed stage like any other failure.
    CompletableFuture<Void> start = CompletableFuture.completedFuture(null);
    if (!spec.headless()) {
      start = start.thenCompose(nothing -> startDisplay());
    }
    return start
        .thenCompose(displayed -> startChromium())
        .thenCompose(found -> browsers.probe().check(found, owner.network()));
  }

  private synchronized CompletableFuture<Void> startDisplay() {
    if (xvfb != null && !xvfb.exit().isDone()) {
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<Void> ready = new CompletableFuture<>();
    List<String> args = new ArrayList<>();
    if (display != null) {
      args.add(":" + display);
    }
    // Only the abstract socket: no TCP, and no socket or lock file left in /tmp.
    args.addAll(
        List.of(
            "-displayfd",
            "1",
            "-nolisten",
            "tcp",
            "-nolisten",
            "unix",
            // Keep the keyboard mapping the computer controls give it while Chromium restarts: X
            // resets a server whose last client has gone.
            "-noreset",
            // The abstract socket is open to every process of the network namespace: only those
            // with the session's cookie may connect.
            "-auth",
            dirs.xauthority().toString(),
            "-screen",
            "0",
            spec.width() + "x" + spec.height() + "x24"));
    ServiceProcess started =
        browsers
            .executor()
            .startService(
                LaunchRequest.builder(browsers.settings().xvfb().toString(), dirs.home())
                    .args(args)
                    .env(Map.of("HOME", dirs.home().toString(), "TMPDIR", dirs.tmp().toString()))
                    .build(),
                owner,
                (stderr, line) -> {
                  xvfbLog.append(line);
                  if (!stderr && DISPLAY_NUMBER.matcher(line).matches()) {
                    display = Integer.valueOf(line);
                    ready.complete(null);
                  } else if (stderr) {
                    lastLines.add(line);
                  }
                });
    xvfb = started;
    started.exit().thenRun(() -> ready.completeExceptionally(exited("Xvfb", started)));
    return ready;
  }

  private synchronized CompletableFuture<DevToolsEndpoint> startChromium() {
    if (stopping) {
      return CompletableFuture.failedFuture(
          new ProcessException(ProcessException.Kind.OWNER_CLOSED, "the session is being deleted"));
    }
    CompletableFuture<DevToolsEndpoint> listening = new CompletableFuture<>();
    Map<String, String> env = new HashMap<>();
    env.put("HOME", dirs.home().toString());
    env.put("TMPDIR", dirs.tmp().toString());
    display().ifPresent(value -> env.putAll(value.environment()));
    ServiceProcess started =
        browsers
            .executor()
            .startService(
                LaunchRequest.builder(browsers.settings().executable().toString(), dirs.home())
                    .args(
                        browsers.arguments(
                            spec, dirs, userAgent, browsers.sandboxed(owner.account())))
                    .env(env)
                    .build(),
                owner,
                (stderr, line) -> {
                  chromiumLog.append(line);
                  Matcher devtools = DEVTOOLS.matcher(line);
                  if (devtools.matches()) {
                    listening.complete(
                        new DevToolsEndpoint(
                            Integer.parseInt(devtools.group(1)),
                            devtools.group(2),
                            Optional.empty()));
                  } else if (stderr) {
                    lastLines.add(line);
                  }
                });
    chromium = started;
    // Not when its output ends: its helpers and crash handler, which outlive it, hold that open.
    started.processExit().thenAccept(status -> onExit(started, status));
    started.exit().thenRun(() -> listening.completeExceptionally(exited("Chromium", started)));
    return listening
        .thenCompose(
            found ->
                owner.network().isPresent()
                    ? bridge(found)
                    : CompletableFuture.completedFuture(found))
        .thenApply(
            found -> {
              endpoint = found;
              return found;
            });
  }

  /**
   * Bridges a Unix socket of the server's own directory to Chromium's port, inside the session's
   * network namespace, where only the session's processes reach the port itself. One process of
   * root's, started by the server: the session's processes can neither stop it nor use its socket.
   * It replaces the bridge to an earlier Chromium's port.
   */
  private synchronized CompletableFuture<DevToolsEndpoint> bridge(DevToolsEndpoint found) {
    terminate(bridge);
    Path socket = dirs.devToolsBridge(found.port());
    CompletableFuture<DevToolsEndpoint> ready = new CompletableFuture<>();
    ServiceProcess started =
        browsers
            .executor()
            .startService(
                LaunchRequest.builder("socat", Path.of("/"))
                    .args(
                        "-d",
                        "-d",
                        "UNIX-LISTEN:" + socket + ",fork,unlink-early,mode=600",
                        "TCP:" + DevToolsEndpoint.HOST + ":" + found.port())
                    .asRoot(true)
                    .build(),
                owner,
                (stderr, line) -> {
                  if (!ready.isDone() && BRIDGE_LISTENING.matcher(line).matches()) {
                    ready.complete(
                        new DevToolsEndpoint(
                            found.port(), found.browserPath(), Optional.of(socket)));
                  }
                });
    bridge = started;
    started.exit().thenRun(() -> ready.completeExceptionally(exited("socat", started)));
    return ready;
  }

  private IllegalStateException exited(String what, ServiceProcess process) {
    return new IllegalStateException(what + " exited with " + describe(process.exit().join()));
  }

  /** Chromium exited: unless the browser is being closed, start it again, or give up. */
  private void onExit(ServiceProcess which, ExitStatus status) {
    synchronized (this) {
      if (stopping || which != chromium || state != BrowserState.RUNNING) {
        return;
      }
    }
    LOG.log(Level.WARNING, "the browser exited on its own with " + describe(status));
    // What is left of its group (helpers that outlived it) goes before a new one starts.
    terminate(which);
    scheduleRestart();
  }

  private void scheduleRestart() {
    long delayMillis;
    synchronized (this) {
      if (stopping) {
        return;
      }
      long now = System.nanoTime();
      long window = browsers.settings().restartWindow().toNanos();
      while (!restartTimes.isEmpty() && now - restartTimes.peekFirst() > window) {
        restartTimes.removeFirst();
      }
      if (restartTimes.size() >= browsers.settings().maxRestarts()) {
        delayMillis = -1;
      } else {
        restartTimes.addLast(now);
        long backoff =
            browsers.settings().restartBackoff().toMillis()
                << Math.min(20, restartTimes.size() - 1);
        delayMillis = Math.min(backoff, MAX_BACKOFF.toMillis());
      }
    }
    if (delayMillis < 0) {
      LOG.log(Level.WARNING, "the browser died too often; it is left down");
      changeState(BrowserState.FAILED);
      return;
    }
    changeState(BrowserState.RESTARTING);
    browsers.timer().schedule(this::restart, delayMillis, TimeUnit.MILLISECONDS);
  }

  private void restart() {
    launch()
        .orTimeout(browsers.settings().readyTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .whenComplete(
            (ready, failure) -> {
              if (failure == null) {
                restarts++;
                running();
                return;
              }
              LOG.log(Level.WARNING, "the browser could not be started again", failure);
              ServiceProcess failed;
              synchronized (this) {
                failed = chromium;
              }
              terminate(failed);
              scheduleRestart();
            });
  }

  /** Marks the browser running, unless its Chromium died in the meantime. */
  private void running() {
    changeState(BrowserState.RUNNING);
    ServiceProcess current;
    synchronized (this) {
      current = chromium;
    }
    if (current.exit().isDone()) {
      onExit(current, current.exit().join());
    }
  }

  private static String describe(ExitStatus status) {
    return status.signalName().map(name -> "signal " + name).orElse("code " + status.code());
  }

  private CompletableFuture<Void> terminate(ServiceProcess process) {
    return process == null
        ? CompletableFuture.completedFuture(null)
        : browsers.executor().terminate(process);
  }

  private void changeState(BrowserState next) {
    synchronized (this) {
      if (state == next || state == BrowserState.STOPPED) {
        return;
      }
      if (stopping && next != BrowserState.STOPPED) {
        return;
      }
      state = next;
    }
    for (Listener listener : listeners) {
      try {
        listener.changed(this, next);
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "a browser listener failed", e);
      }
    }
  }
}
