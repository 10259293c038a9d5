package io.procgate.core.internal.lifecycle;

import io.procgate.core.Signal;
import io.procgate.core.internal.io.EventLoop;
import io.procgate.core.internal.os.OsException;
import io.procgate.core.internal.os.ProcessControl;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Ends whole process groups by a {@link TerminationPolicy}, on the event loop, without blocking it:
 * a group is polled every few milliseconds until it is gone.
 */
public final class GroupTerminator {
  private static final System.Logger LOG = System.getLogger(GroupTerminator.class.getName());
  private static final Duration POLL_INTERVAL = Duration.ofMillis(10);
  // Killed processes vanish at once unless they are zombies of a parent that does not reap them.
  private static final Duration AFTER_KILL_WAIT = Duration.ofSeconds(1);

  private final EventLoop loop;
  private final ChildReaper reaper;

  public GroupTerminator(EventLoop loop, ChildReaper reaper) {
    this.loop = loop;
    this.reaper = reaper;
  }

  /**
   * Ends group {@code pgid}. Safe from any thread.
   *
   * @return completes once no process of the group is left, or once SIGKILL was sent and a short
   *     wait has passed
   */
  public CompletableFuture<Void> terminate(int pgid, TerminationPolicy policy) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    loop.execute(() -> new Termination(pgid, policy, done).begin());
    return done;
  }

  private final class Termination {
    private final int pgid;
    private final TerminationPolicy policy;
    private final CompletableFuture<Void> done;
    private long deadline;
    private boolean killed;

    Termination(int pgid, TerminationPolicy policy, CompletableFuture<Void> done) {
      this.pgid = pgid;
      this.policy = policy;
      this.done = done;
    }

    void begin() {
      if (!send(policy.signal())) {
        done.complete(null);
        return;
      }
      deadline = System.nanoTime() + policy.grace().toNanos();
      loop.schedule(POLL_INTERVAL, this::check);
    }

    private void check() {
      reaper.sweepOrphans();
      if (!ProcessControl.groupExists(pgid)) {
        done.complete(null);
        return;
      }
      if (System.nanoTime() - deadline < 0) {
        loop.schedule(POLL_INTERVAL, this::check);
        return;
      }
      if (killed) {
        LOG.log(Level.WARNING, "process group {0} still has zombies after SIGKILL", pgid);
        done.complete(null);
        return;
      }
      killed = true;
      send(Signal.KILL);
      deadline = System.nanoTime() + AFTER_KILL_WAIT.toNanos();
      loop.schedule(POLL_INTERVAL, this::check);
    }

    private boolean send(Signal signal) {
      try {
        return ProcessControl.signalGroup(pgid, signal.number());
      } catch (OsException e) {
        LOG.log(Level.WARNING, "cannot signal process group " + pgid, e);
        return false;
      }
    }
  }
}
