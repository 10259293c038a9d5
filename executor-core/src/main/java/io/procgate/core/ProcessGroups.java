package io.procgate.core;

import io.procgate.core.os.ProcessControl;
import java.util.HashSet;
import java.util.Set;

/**
 * The process groups one owner, such as a session, started and may still have processes in: running
 * ones, and finished ones whose background processes live on. Once {@link #close()}d it takes no
 * more. Thread-safe.
 */
public final class ProcessGroups {
  // Above this many, adding first forgets the groups that have no process left.
  private static final int PRUNE_THRESHOLD = 256;

  private final Set<Integer> groups = new HashSet<>();
  private boolean closed;

  /**
   * @return false when closed; the caller must then end the group itself
   */
  synchronized boolean add(int pgid) {
    if (closed) {
      return false;
    }
    if (groups.size() >= PRUNE_THRESHOLD) {
      groups.removeIf(group -> !ProcessControl.groupExists(group));
    }
    groups.add(pgid);
    return true;
  }

  synchronized void remove(int pgid) {
    groups.remove(pgid);
  }

  /** Takes no more groups and hands over the ones held. */
  synchronized Set<Integer> close() {
    closed = true;
    Set<Integer> held = Set.copyOf(groups);
    groups.clear();
    return held;
  }

  public synchronized boolean isClosed() {
    return closed;
  }

  public synchronized int size() {
    return groups.size();
  }
}
