package io.procgate.server.session;

import io.procgate.core.LaunchRequest;
import io.procgate.core.ProcessTable;
import io.procgate.core.SpawnedProcess;
import io.procgate.core.browser.Browser;
import io.procgate.core.files.UserFiles;
import io.procgate.server.error.ApiException;
import io.procgate.server.error.ErrorCode;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A browser session: its settings, its private working directory and the process groups it started.
 * It counts as active while a request uses it and for {@code timeoutSeconds} after. Thread-safe.
 */
public final class Session {
  /** One use of a session; see {@link #use()}. */
  public interface Use extends AutoCloseable {
    Session session();

    /** Ends the use; the session's inactivity countdown starts again from now. */
    @Override
    void close();
  }

  private final String id;
  private final SessionSpec spec;
  private final Instant createdAt;
  private final Path workDir;
  private final Map<String, String> processEnv;
  private final ProcessTable processes;
  private final UserFiles fileSystem;
  private final Optional<Browser> browser;
  private final SessionFiles files;
  private final AtomicInteger inUse = new AtomicInteger();
  private volatile long lastUsedNanos = System.nanoTime();

  Session(
      String id,
      SessionSpec spec,
      Instant createdAt,
      Path workDir,
      ProcessTable processes,
      UserFiles fileSystem,
      Optional<Browser> browser,
      int maxWatches) {
    this.id = id;
    this.files = new SessionFiles(id, maxWatches);
    this.processes = processes;
    this.fileSystem = fileSystem;
    this.spec = spec;
    this.createdAt = createdAt;
    this.workDir = workDir;
    this.browser = browser;
    Map<String, String> env = new HashMap<>(spec.env());
    env.put("PROCGATE_SESSION_ID", id);
    env.put("PROCGATE_SESSION_DIR", workDir.toString());
    // A headful browser's display is the session's: its processes can draw on it and read it.
    browser.flatMap(Browser::display).ifPresent(display -> env.putAll(display.environment()));
    this.processEnv = Map.copyOf(env);
  }

  public String id() {
    return id;
  }

  public SessionSpec spec() {
    return spec;
  }

  public Instant createdAt() {
    return createdAt;
  }

  public Path workDir() {
    return workDir;
  }

  /**
   * A request to run {@code command} in this session: in its directory by default, with its
   * variables beneath the request's own.
   */
  public LaunchRequest.Builder launchRequest(String command) {
    return LaunchRequest.builder(command, workDir).ownerEnv(processEnv);
  }

  /** The session's browser; empty on a server that runs none. */
  public Optional<Browser> browser() {
    return browser;
  }

  /** The processes the session runs and keeps. */
  public ProcessTable processes() {
    return processes;
  }

  /** The file system with the rights of the account the session's processes run as by default. */
  public UserFiles fileSystem() {
    return fileSystem;
  }

  /** The session's watches and uploads. */
  public SessionFiles files() {
    return files;
  }

  /** A spawned process of this session, running or retained; 404 otherwise. */
  public SpawnedProcess requireProcess(String processId) {
    UUID uuid;
    try {
      uuid = UUID.fromString(processId);
    } catch (IllegalArgumentException e) {
      throw processNotFound(processId);
    }
    return processes.find(uuid).orElseThrow(() -> processNotFound(processId));
  }

  private ApiException processNotFound(String processId) {
    return new ApiException(
        ErrorCode.PROCESS_NOT_FOUND,
        "session " + id + " has no process " + ApiException.quoted(processId));
  }

  /** Marks the session in use until the returned handle is closed; it cannot expire meanwhile. */
  public Use use() {
    inUse.incrementAndGet();
    lastUsedNanos = System.nanoTime();
    AtomicBoolean open = new AtomicBoolean(true);
    return new Use() {
      @Override
      public Session session() {
        return Session.this;
      }

      @Override
      public void close() {
        if (open.compareAndSet(true, false)) {
          lastUsedNanos = System.nanoTime();
          inUse.decrementAndGet();
        }
      }
    };
  }

  /**
   * Whether nothing used the session for its timeout: no request, stream or connection, and no
   * running process. A busy session's countdown restarts from {@code nowNanos}.
   */
  boolean idleLongerThanItsTimeout(long nowNanos) {
    if (inUse.get() > 0 || processes.running() > 0) {
      lastUsedNanos = nowNanos;
      return false;
    }
    return nowNanos - lastUsedNanos > spec.timeoutSeconds() * 1_000_000_000L;
  }
}
