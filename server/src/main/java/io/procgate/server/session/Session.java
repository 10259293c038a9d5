package io.procgate.server.session;

import io.procgate.core.ProcessGroups;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
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
  private final ProcessGroups groups = new ProcessGroups();
  private final AtomicInteger inUse = new AtomicInteger();
  private volatile long lastUsedNanos = System.nanoTime();

  Session(String id, SessionSpec spec, Instant createdAt, Path workDir) {
    this.id = id;
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

  public ProcessGroups groups() {
    return groups;
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
