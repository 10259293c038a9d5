package io.procgate.server.session;

import io.procgate.core.ProcessExecutor;
import io.procgate.core.ProcessTable;
import io.procgate.core.browser.Browser;
import io.procgate.core.browser.BrowserSettings;
import io.procgate.core.browser.Browsers;
import io.procgate.core.files.UserFiles;
import io.procgate.core.network.SessionNetworks;
import io.procgate.server.config.ProcgateConfig;
import io.procgate.server.config.SessionCapacity;
import io.procgate.server.error.ApiException;
import io.procgate.server.error.ErrorCode;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * All sessions of the server, by id and by name, in creation order. Deleting one, explicitly, by
 * inactivity or at shutdown, ends its process groups and removes its directory.
 */
@ApplicationScoped
public class SessionRegistry {
  private static final Logger LOG = Logger.getLogger(SessionRegistry.class);
  private static final Duration EXPIRY_CHECK_INTERVAL = Duration.ofSeconds(5);

  /**
   * Whether one more session can be created now.
   *
   * @param browser what sessions get: the browser's path, or {@code none}
   * @param problem why a session cannot be created now, when it cannot
   */
  public record Capacity(int held, int max, String browser, Optional<String> problem) {}

  /** One page of sessions; {@code nextOffset} is 0 on the last page, as Kernel's SDKs expect. */
  public record Page(List<Session> sessions, boolean hasMore, int nextOffset) {}

  private final ProcessExecutor executor;
  private final Browsers browsers;
  private final UserFiles files;
  private final SessionNetworks networks;
  private final boolean isolationRequired;
  private final WorkDirectories directories;
  private final Duration endWait;
  private final int maxSessions;
  private final boolean browserRequired;
  private final int maxWatches;
  private final boolean controlPlane;
  // A pod's node: the id of its one session, taken by the first create.
  private final Optional<String> podSession;
  private boolean podSessionTaken;
  private final Duration claimTimeout;
  private volatile boolean runBrowsers;
  private final AtomicLong restartsOfEnded = new AtomicLong();
  private final Map<String, Session> byId = new ConcurrentHashMap<>();
  private final Map<String, Session> byName = new ConcurrentHashMap<>();
  private final LinkedHashMap<String, Session> inOrder = new LinkedHashMap<>();
  // Sessions whose browser is starting, by id, with their name or "": they count, and their names
  // are taken, but nobody can look them up yet. Guarded by this.
  private final Map<String, String> starting = new HashMap<>();
  private final ScheduledExecutorService expiry =
      Executors.newSingleThreadScheduledExecutor(
          runnable -> {
            Thread thread = new Thread(runnable, "procgate-session-expiry");
            thread.setDaemon(true);
            return thread;
          });

  SessionRegistry(
      ProcessExecutor executor,
      Browsers browsers,
      UserFiles files,
      SessionNetworks networks,
      ProcgateConfig config) {
    this.executor = executor;
    this.browsers = browsers;
    this.files = files;
    this.networks = networks;
    this.isolationRequired = config.isolation().required();
    this.directories = new WorkDirectories(config.sessions().root());
    // Ending a group takes its grace, then SIGKILL and a short wait for the dead to be reaped.
    this.endWait = config.exec().killGrace().plusSeconds(5);
    this.controlPlane = config.mode() == ProcgateConfig.Mode.CONTROL_PLANE;
    this.podSession = config.pod().sessionId();
    this.claimTimeout = config.pod().claimTimeout();
    this.maxSessions = podSession.isPresent() ? 1 : SessionCapacity.of(config);
    this.browserRequired = config.browser().required();
    this.maxWatches = config.files().maxWatches();
    if (maxSessions < 1) {
      throw new IllegalArgumentException("procgate.sessions.max must be at least 1");
    }
  }

  void start(@Observes StartupEvent event) throws IOException {
    // A control plane holds no sessions: its pods do.
    if (controlPlane) {
      return;
    }
    if (isolationRequired && !executor.ownersHaveOwnAccounts()) {
      throw new IllegalStateException(
          "procgate.isolation.required is set, but sessions' processes run as "
              + executor.accounts());
    }
    if (isolationRequired && networks.unavailable().isPresent()) {
      throw new IllegalStateException(
          "procgate.isolation.required is set, but sessions' networks are " + networks.describe());
    }
    directories.prepare(executor.serverAccount().uid(), executor.ownersHaveOwnAccounts());
    LOG.infof("Each session's processes are contained by %s", executor.containment());
    LOG.infof("Sessions' processes run as %s", executor.accounts());
    LOG.infof("Sessions' networks are %s", networks.describe());
    runBrowsers = decideOnBrowsers();
    long period = EXPIRY_CHECK_INTERVAL.toMillis();
    expiry.scheduleWithFixedDelay(this::expireIdle, period, period, TimeUnit.MILLISECONDS);
    if (podSession.isPresent()) {
      expiry.schedule(this::exitUnclaimed, claimTimeout.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /** A pod whose create was abandoned midway ends by itself, which its control plane removes. */
  private synchronized void exitUnclaimed() {
    if (!podSessionTaken) {
      LOG.infof(
          "No session was created here within %d s; the server exits", claimTimeout.toSeconds());
      Quarkus.asyncExit(0);
    }
  }

  void stop(@Observes ShutdownEvent event) {
    expiry.shutdownNow();
    List<Session> all;
    synchronized (this) {
      all = new ArrayList<>(inOrder.values());
      all.forEach(this::forget);
    }
    CompletableFuture.allOf(all.stream().map(this::end).toArray(CompletableFuture[]::new)).join();
  }

  /**
   * Whether sessions get a browser, said once: not without one installed, nor in a sessions root
   * too long for Chromium's sockets; then starting fails instead if a browser is required.
   */
  private boolean decideOnBrowsers() {
    BrowserSettings settings = browsers.settings();
    String missing = null;
    if (!settings.installed()) {
      missing =
          "there is no browser at "
              + settings.executable()
              + " (install Debian's chromium package, or set procgate.browser.executable)";
    } else if (directories.root().toString().length() > BrowserSettings.maxSessionsRoot()) {
      missing =
          "procgate.sessions.root "
              + directories.root()
              + " is longer than the "
              + BrowserSettings.maxSessionsRoot()
              + " characters Chromium's sockets leave room for";
    }
    if (missing != null) {
      if (browserRequired) {
        throw new IllegalStateException("procgate.browser.required is set, but " + missing);
      }
      LOG.warnf("At most %d sessions, without a browser: %s", maxSessions, missing);
      return false;
    }
    LOG.infof(
        "At most %d sessions; each gets a browser: %s, %s; headful ones %s",
        maxSessions,
        settings.executable(),
        browsers.sandboxed() ? "in Chromium's own sandbox" : "without Chromium's sandbox",
        settings.headfulSupported() ? "on Xvfb" : "refused (no Xvfb at " + settings.xvfb() + ")");
    return true;
  }

  /**
   * Creates a session and starts its browser, if the server runs browsers.
   *
   * @return completes once the browser answers over CDP; when it cannot start, fails with a {@code
   *     ProcessException} after everything of the session is gone again
   */
  public CompletableFuture<Session> create(SessionSpec spec) {
    String id;
    synchronized (this) {
      spec.name().ifPresent(this::requireFreeName);
      if (inOrder.size() + starting.size() >= maxSessions) {
        throw new ApiException(
            ErrorCode.TOO_MANY_SESSIONS,
            "the server holds its maximum of " + maxSessions + " sessions; delete one first");
      }
      if (podSession.isPresent()) {
        if (podSessionTaken) {
          throw new ApiException(
              ErrorCode.TOO_MANY_SESSIONS, "this pod's node holds one session, and it was made");
        }
        podSessionTaken = true;
        id = podSession.get();
      } else {
        do {
          id = SessionIds.next();
        } while (byId.containsKey(id) || byName.containsKey(id) || starting.containsKey(id));
      }
      starting.put(id, spec.name().orElse(""));
    }
    String sessionId = id;
    if (runBrowsers) {
      try {
        browsers.requireRunnable(spec.browserSpec());
      } catch (RuntimeException refused) {
        abandon(sessionId);
        throw refused;
      }
    }
    Path dir = directories.of(sessionId);
    ProcessTable processes;
    try {
      processes = executor.newTable(sessionId, dir);
    } catch (RuntimeException e) {
      abandon(sessionId);
      throw e;
    }
    try {
      directories.create(sessionId, processes.account(), processes.ownsAccount());
    } catch (IOException e) {
      executor.terminateAll(processes);
      removeFiles(dir, processes);
      abandon(sessionId);
      throw new UncheckedIOException("cannot create the session directory", e);
    }
    CompletableFuture<Optional<Browser>> browser =
        joinNetwork(sessionId, processes)
            .thenCompose(
                joined ->
                    runBrowsers
                        ? browsers.start(spec.browserSpec(), processes, dir).thenApply(Optional::of)
                        : CompletableFuture.completedFuture(Optional.<Browser>empty()));
    return browser
        .handle(
            (started, failure) -> {
              if (failure != null) {
                return executor
                    .terminateAll(processes)
                    .thenCompose(ended -> leaveNetwork(processes))
                    .thenRunAsync(() -> removeFiles(dir, processes), workers())
                    .<Session>thenCompose(
                        cleaned -> {
                          abandon(sessionId);
                          return CompletableFuture.failedFuture(failure);
                        });
              }
              Session session =
                  new Session(
                      sessionId,
                      spec,
                      Instant.now(),
                      dir,
                      processes,
                      files.withRightsOf(processes.account()),
                      started,
                      maxWatches);
              synchronized (this) {
                starting.remove(sessionId);
                byId.put(sessionId, session);
                spec.name().ifPresent(name -> byName.put(name, session));
                inOrder.put(sessionId, session);
              }
              return CompletableFuture.completedFuture(session);
            })
        .thenCompose(session -> session);
  }

  /** Puts the session's processes, from now on, in a network of their own, where there are such. */
  private CompletableFuture<Void> joinNetwork(String id, ProcessTable processes) {
    if (networks.unavailable().isPresent()) {
      return CompletableFuture.completedFuture(null);
    }
    try {
      return networks.create(id).thenAccept(processes::join);
    } catch (RuntimeException refused) {
      // Every network of the block in use: the session's other parts go as for any failure.
      return CompletableFuture.failedFuture(refused);
    }
  }

  /** Removes the session's network, once its processes have ended; never fails. */
  private CompletableFuture<Void> leaveNetwork(ProcessTable processes) {
    return processes
        .network()
        .map(networks::delete)
        .orElse(CompletableFuture.completedFuture(null));
  }

  private synchronized void abandon(String id) {
    starting.remove(id);
    exitWithPodSession();
  }

  /** A pod's node ends with its session, and its pod with it, which the control plane removes. */
  private void exitWithPodSession() {
    if (podSession.isPresent()) {
      LOG.info("The pod's session has ended; the server exits");
      Quarkus.asyncExit(0);
    }
  }

  private void requireFreeName(String name) {
    if (byName.containsKey(name) || byId.containsKey(name) || starting.containsValue(name)) {
      throw new ApiException(
          ErrorCode.NAME_TAKEN, "a session named " + ApiException.quoted(name) + " already exists");
    }
  }

  public Optional<Session> find(String idOrName) {
    Session session = byId.get(idOrName);
    return Optional.ofNullable(session != null ? session : byName.get(idOrName));
  }

  /** The session; looking it up is not activity, using it ({@link #using}) is. */
  public Session require(String idOrName) {
    return find(idOrName).orElseThrow(() -> ApiException.sessionNotFound(idOrName));
  }

  /**
   * Does {@code work} with the session, which is in use, and so cannot expire, until the future
   * {@code work} returns has completed. That very future is returned, so that a caller who cancels
   * it (as Quarkus REST does when the client goes away) cancels {@code work}'s own.
   */
  public <T> CompletableFuture<T> using(
      String idOrName, Function<Session, CompletableFuture<T>> work) {
    Session.Use use = require(idOrName).use();
    CompletableFuture<T> result;
    try {
      result = work.apply(use.session());
    } catch (RuntimeException e) {
      use.close();
      throw e;
    }
    result.whenComplete((value, failure) -> use.close());
    return result;
  }

  public Capacity capacity() {
    int held;
    synchronized (this) {
      held = inOrder.size() + starting.size();
    }
    Path executable = browsers.settings().executable();
    String problem = null;
    if (held >= maxSessions) {
      problem = "the server holds its maximum of " + maxSessions + " sessions";
    } else if (runBrowsers && !browsers.settings().installed()) {
      problem = "the browser at " + executable + " is gone";
    }
    return new Capacity(
        held,
        maxSessions,
        runBrowsers ? executable.toString() : "none",
        Optional.ofNullable(problem));
  }

  /** The accounts sessions' processes run as, for people. */
  public String accounts() {
    return executor.accounts();
  }

  /** Sessions' networks, for people. */
  public String networks() {
    return networks.describe();
  }

  /** Every session held now; reading them is not activity. */
  public synchronized List<Session> all() {
    return List.copyOf(inOrder.values());
  }

  /** Restarts of every browser this server has run, those of deleted sessions included. */
  public long browserRestarts() {
    long live =
        all().stream()
            .flatMap(session -> session.browser().stream())
            .mapToLong(Browser::restarts)
            .sum();
    return restartsOfEnded.get() + live;
  }

  public synchronized Page list(int offset, int limit) {
    List<Session> all = new ArrayList<>(inOrder.values());
    int from = Math.min(offset, all.size());
    int to = (int) Math.min((long) from + limit, all.size());
    boolean hasMore = to < all.size();
    return new Page(List.copyOf(all.subList(from, to)), hasMore, hasMore ? to : 0);
  }

  /**
   * Deletes a session: it is gone for every lookup at once; the stage completes once its process
   * groups have ended and its directory is removed.
   */
  public CompletionStage<Void> delete(String idOrName) {
    Session session;
    synchronized (this) {
      session = require(idOrName);
      forget(session);
    }
    return end(session).thenRun(this::exitWithPodSession);
  }

  private void forget(Session session) {
    session.browser().ifPresent(browser -> restartsOfEnded.addAndGet(browser.restarts()));
    byId.remove(session.id());
    session.spec().name().ifPresent(byName::remove);
    inOrder.remove(session.id());
  }

  /**
   * Ends the session's watches and uploads, then the browser, so that it is not restarted, then
   * every group, then the directory.
   */
  private CompletableFuture<Void> end(Session session) {
    session.files().end();
    return session
        .browser()
        .map(Browser::close)
        .orElse(CompletableFuture.completedFuture(null))
        .thenCompose(closed -> executor.terminateAll(session.processes()))
        .orTimeout(endWait.toMillis(), TimeUnit.MILLISECONDS)
        .exceptionally(
            failure -> {
              LOG.warnf(failure, "session %s: its processes did not all end", session.id());
              return null;
            })
        .thenCompose(ended -> leaveNetwork(session.processes()))
        // Removing a tree is file system work of unknown length: never on an I/O thread.
        .thenRunAsync(() -> removeFiles(session.workDir(), session.processes()), workers());
  }

  /**
   * Removes a session's directory, then gives back its account, once nothing it owned is left
   * there: a uid handed to the next session must not come with files of this one.
   */
  private void removeFiles(Path dir, ProcessTable processes) {
    directories.delete(dir);
    if (!executor.retire(processes)) {
      LOG.warnf(
          "processes of uid %d outlived their session %s; the uid is not used again",
          processes.account().uid(), dir.getFileName());
    }
  }

  private static Executor workers() {
    return Infrastructure.getDefaultWorkerPool();
  }

  private void expireIdle() {
    long now = System.nanoTime();
    List<Session> idle = new ArrayList<>();
    synchronized (this) {
      for (Session session : inOrder.values()) {
        if (session.idleLongerThanItsTimeout(now)) {
          idle.add(session);
        }
      }
      idle.forEach(this::forget);
    }
    for (Session session : idle) {
      LOG.infof(
          "session %s expired after %d s without activity",
          session.id(), session.spec().timeoutSeconds());
      end(session).thenRun(this::exitWithPodSession);
    }
  }
}
