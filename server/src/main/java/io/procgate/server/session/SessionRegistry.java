package io.procgate.server.session;

import io.procgate.core.ProcessExecutor;
import io.procgate.server.config.ProcgateConfig;
import io.procgate.server.error.ApiException;
import io.procgate.server.error.ErrorCode;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
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

  /** One page of sessions; {@code nextOffset} is 0 on the last page, as Kernel's SDKs expect. */
  public record Page(List<Session> sessions, boolean hasMore, int nextOffset) {}

  private final ProcessExecutor executor;
  private final WorkDirectories directories;
  private final Duration endWait;
  private final int maxSessions;
  private final Map<String, Session> byId = new ConcurrentHashMap<>();
  private final Map<String, Session> byName = new ConcurrentHashMap<>();
  private final LinkedHashMap<String, Session> inOrder = new LinkedHashMap<>();
  private final ScheduledExecutorService expiry =
      Executors.newSingleThreadScheduledExecutor(
          runnable -> {
            Thread thread = new Thread(runnable, "procgate-session-expiry");
            thread.setDaemon(true);
            return thread;
          });

  SessionRegistry(ProcessExecutor executor, ProcgateConfig config) {
    this.executor = executor;
    this.directories = new WorkDirectories(config.sessions().root());
    // Ending a group takes its grace, then SIGKILL and a short wait for the dead to be reaped.
    this.endWait = config.exec().killGrace().plusSeconds(5);
    this.maxSessions = config.sessions().max();
    if (maxSessions < 1) {
      throw new IllegalArgumentException("procgate.sessions.max must be at least 1");
    }
  }

  void start(@Observes StartupEvent event) throws IOException {
    directories.prepare(executor.serverAccount().uid());
    long period = EXPIRY_CHECK_INTERVAL.toMillis();
    expiry.scheduleWithFixedDelay(this::expireIdle, period, period, TimeUnit.MILLISECONDS);
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

  public Session create(SessionSpec spec) {
    synchronized (this) {
      spec.name().ifPresent(this::requireFreeName);
      if (inOrder.size() >= maxSessions) {
        throw new ApiException(
            ErrorCode.TOO_MANY_SESSIONS,
            "the server holds its maximum of " + maxSessions + " sessions; delete one first");
      }
      String id;
      do {
        id = SessionIds.next();
      } while (byId.containsKey(id) || byName.containsKey(id));
      Path dir;
      try {
        dir = directories.create(id);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create the session directory", e);
      }
      Session session = new Session(id, spec, Instant.now(), dir, executor.newTable());
      byId.put(id, session);
      spec.name().ifPresent(name -> byName.put(name, session));
      inOrder.put(id, session);
      return session;
    }
  }

  private void requireFreeName(String name) {
    if (byName.containsKey(name) || byId.containsKey(name)) {
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
    return end(session);
  }

  private void forget(Session session) {
    byId.remove(session.id());
    session.spec().name().ifPresent(byName::remove);
    inOrder.remove(session.id());
  }

  private CompletableFuture<Void> end(Session session) {
    return executor
        .terminateAll(session.processes())
        .orTimeout(endWait.toMillis(), TimeUnit.MILLISECONDS)
        .exceptionally(
            failure -> {
              LOG.warnf(failure, "session %s: its processes did not all end", session.id());
              return null;
            })
        // Removing a tree is file system work of unknown length: never on an I/O thread.
        .thenRunAsync(
            () -> directories.delete(session.workDir()), Infrastructure.getDefaultWorkerPool());
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
      end(session);
    }
  }
}
