package io.procgate.server.session;

import io.procgate.core.ProcessTable;
import io.procgate.core.SpawnedProcess;
import io.procgate.server.error.ApiException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A browser session: its settings, its private working directory and the process groups it started.
 * It counts as active while a request uses it and for {@code timeoutSeconds} after. Thread-safe.
 */
public final class Session {
  /** Marks the end of one use of a session; see {@link #use()}. */
  public interface Use extends AutoCloseable {
    @Override
    void close();
  }

  private final String id;
  private final SessionSpec spec;
  private final Instant createdAt;
  private final Path workDir;
  private final Map<String, String> processEnv;
  private final ProcessTable processes;
  private final AtomicInteger inUse = new AtomicInteger();
  private volatile long lastUsedNanos = System.nanoTime();

  Session(String id, SessionSpec spec, Instant createdAt, Path workDir, ProcessTable processes) {
    this.id = id;
    this.processes = processes;
    this.spec = spec;
    this.createdAt = createdAt;
    this.workDir = workDir;
    Map<String, String> env = new HashMap<>(spec.env());
    env.put("PROCGATE_SESSION_ID", id);
    env.put("PROCGATE_SESSION_DIR", workDir.toString());
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

  /** The variables every process of the session gets beneath its request's own. */
  public Map<String, String> processEnv() {
    return processEnv;
  }

  /** The processes the session runs and keeps. */
  public ProcessTable processes() {
    return processes;
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
        404,
        "process_not_found",
        "session " + id + " has no process " + ApiException.quoted(processId));
  }

  /** Marks the session in use until the returned handle is closed; it cannot expire meanwhile. */
  public Use use() {
    inUse.incrementAndGet();
    lastUsedNanos = System.nanoTime();
    return () -> {
      lastUsedNanos = System.nanoTime();
      inUse.decrementAndGet();
    };
  }

  boolean idleLongerThanItsTimeout(long nowNanos) {
    return inUse.get() == 0 && nowNanos - lastUsedNanos > spec.timeoutSeconds() * 1_000_000_000L;
  }
}
