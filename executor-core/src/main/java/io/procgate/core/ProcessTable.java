package io.procgate.core;

import io.procgate.core.ProcessException.Kind;
import io.procgate.core.internal.cgroup.SessionCgroup;
import io.procgate.core.internal.launch.Launcher;
import io.procgate.core.internal.os.ProcessControl;
import io.procgate.core.network.SessionNetwork;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * What one owner, such as a session, runs: the process groups it started and may still have
 * processes in (running ones, and finished ones whose background processes live on), and its
 * spawned processes, running or exited, by id. It caps how many processes run at once and keeps
 * exited spawned processes for the retention time, at most so many. Once {@link #close()}d it takes
 * nothing new. Thread-safe.
 */
public final class ProcessTable {
  /**
   * What an owner's processes use together, as its cgroup counts it.
   *
   * @param tasks processes and their threads
   */
  public record Usage(long memoryBytes, int processes, long tasks) {}

  // Above this many, tracking a group first forgets the groups that have no process left.
  private static final int PRUNE_THRESHOLD = 256;

  private final int maxProcesses;
  private final Duration retention;
  private final int retainedExited;
  private final SessionCgroup cgroup;
  private final Account account;
  private final boolean ownAccount;
  private final boolean servers;
  private volatile SessionNetwork network;
  private final Set<Integer> groups = new HashSet<>();
  private final Map<UUID, SpawnedProcess> spawned = new LinkedHashMap<>();
  private int running;
  private boolean closed;

  /**
   * @param servers whether these are the server's own processes (its tools' runs), which the
   *     executor's events do not hear of
   */
  ProcessTable(
      ExecutorSettings settings,
      SessionCgroup cgroup,
      Account account,
      boolean ownAccount,
      boolean servers) {
    this.cgroup = cgroup;
    this.account = account;
    this.ownAccount = ownAccount;
    this.servers = servers;
    this.maxProcesses = settings.maxProcesses();
    this.retention = settings.retention();
    this.retainedExited = settings.retainedExited();
  }

  /** The account the owner's processes run as when a request names none. */
  public Account account() {
    return account;
  }

  /** Whether {@link #account()} is the owner's alone, rather than shared with other owners. */
  public boolean ownsAccount() {
    return ownAccount;
  }

  /**
   * Makes every process the owner starts from now on start inside {@code network}, and so reach
   * what it reaches only.
   */
  public void join(SessionNetwork network) {
    this.network = network;
  }

  /** The network namespace the owner's processes start in; empty for the server's own. */
  public Optional<SessionNetwork> network() {
    return Optional.ofNullable(network);
  }

  boolean servers() {
    return servers;
  }

  Launcher.Place place() {
    SessionNetwork current = network;
    return new Launcher.Place(cgroup, current == null ? -1 : current.descriptor());
  }

  /** The spawned process {@code id}, if it runs or is still retained. */
  public synchronized Optional<SpawnedProcess> find(UUID id) {
    prune();
    return Optional.ofNullable(spawned.get(id));
  }

  /** The spawned processes, running and retained, oldest first. */
  public synchronized List<SpawnedProcess> list() {
    prune();
    return List.copyOf(spawned.values());
  }

  /** What the owner's processes use now; empty when they are not in a cgroup of their own. */
  public Optional<Usage> usage() {
    if (cgroup == null) {
      return Optional.empty();
    }
    SessionCgroup.Usage usage = cgroup.usage();
    return Optional.of(new Usage(usage.memoryBytes(), usage.processes(), usage.tasks()));
  }

  /** The owner's cgroup, or null. */
  SessionCgroup cgroup() {
    return cgroup;
  }

  /** How many processes run now, synchronous executions included. */
  public synchronized int running() {
    return running;
  }

  /** Refuses when the owner takes no new process. */
  synchronized void requireOpen() {
    if (closed) {
      throw new ProcessException(Kind.OWNER_CLOSED, "the session is being deleted");
    }
  }

  /** Takes a running slot for a process about to start. */
  synchronized void reserve() {
    requireOpen();
    if (running >= maxProcesses) {
      throw new ProcessException(
          Kind.TOO_MANY_PROCESSES,
          "the session already runs " + running + " processes, its limit; wait for one to end");
    }
    running++;
  }

  /** Gives back the slot of a process that exited or never started. */
  synchronized void release() {
    running--;
  }

  /**
   * @return false when closed; the caller must then end the group itself
   */
  synchronized boolean track(int pgid) {
    if (closed) {
      return false;
    }
    if (groups.size() >= PRUNE_THRESHOLD) {
      groups.removeIf(group -> !ProcessControl.groupExists(group));
    }
    groups.add(pgid);
    return true;
  }

  /** Forgets group {@code pgid} unless processes of it live on in the background. */
  synchronized void forgetGroupIfEmpty(int pgid) {
    if (!ProcessControl.groupExists(pgid)) {
      groups.remove(pgid);
    }
  }

  synchronized void add(SpawnedProcess process) {
    spawned.put(process.id(), process);
  }

  /** Takes nothing new from now on and hands over the groups to end. */
  synchronized Set<Integer> close() {
    closed = true;
    Set<Integer> held = Set.copyOf(groups);
    groups.clear();
    return held;
  }

  private void prune() {
    Instant expired = Instant.now().minus(retention);
    List<SpawnedProcess> exited = new ArrayList<>();
    for (Iterator<SpawnedProcess> it = spawned.values().iterator(); it.hasNext(); ) {
      SpawnedProcess process = it.next();
      Optional<Instant> ended = process.endedAt();
      if (ended.isPresent()) {
        if (ended.get().isBefore(expired)) {
          it.remove();
        } else {
          exited.add(process);
        }
      }
    }
    for (int i = 0; i < exited.size() - retainedExited; i++) {
      spawned.remove(exited.get(i).id());
    }
  }
}
