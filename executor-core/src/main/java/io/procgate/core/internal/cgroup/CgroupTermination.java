package io.procgate.core.internal.cgroup;

import io.procgate.core.Signal;
import io.procgate.core.internal.io.EventLoop;
import io.procgate.core.internal.lifecycle.ChildReaper;
import io.procgate.core.internal.lifecycle.TerminationPolicy;
import io.procgate.core.internal.os.ProcessControl;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Ends every process in a cgroup, whatever process group or session it made for itself, then
 * removes the cgroup, on the event loop without blocking it: every process gets the policy's
 * signal, and what is left after the grace gets SIGKILL (all at once through {@code cgroup.kill}
 * where the kernel has it), with forks refused from then on so that none escapes the sweep. The
 * cgroup is polled every few milliseconds until it is empty and every process seen in it is gone.
 */
public final class CgroupTermination {
  private static final System.Logger LOG = System.getLogger(CgroupTermination.class.getName());
  private static final Duration POLL_INTERVAL = Duration.ofMillis(10);
  private static final Duration AFTER_KILL_WAIT = Duration.ofSeconds(2);

  private final EventLoop loop;
  private final ChildReaper reaper;
  private final SessionCgroup cgroup;
  private final TerminationPolicy policy;
  private final CompletableFuture<Void> done = new CompletableFuture<>();
  // Every process seen in the cgroup: it is over once none of them is left even as a zombie.
  private final Set<Integer> seen = new HashSet<>();
  private long deadline;
  private boolean killed;

  private CgroupTermination(
      EventLoop loop, ChildReaper reaper, SessionCgroup cgroup, TerminationPolicy policy) {
    this.loop = loop;
    this.reaper = reaper;
    this.cgroup = cgroup;
    this.policy = policy;
  }

  /** Safe from any thread; completes once the cgroup is gone. */
  public static CompletableFuture<Void> terminate(
      EventLoop loop, ChildReaper reaper, SessionCgroup cgroup, TerminationPolicy policy) {
    CgroupTermination termination = new CgroupTermination(loop, reaper, cgroup, policy);
    loop.execute(termination::begin);
    return termination.done;
  }

  private void begin() {
    // Forks stay allowed through the grace: a process may need one to end cleanly, and one
    // that fails would end the process with another status than the signal's.
    signalAll(policy.signal());
    deadline = System.nanoTime() + policy.grace().toNanos();
    check();
  }

  private void check() {
    // Processes that left their parents are this JVM's children now, and dead ones zombies.
    reaper.sweepOrphans();
    Set<Integer> left = cgroup.processes();
    seen.addAll(left);
    // A process leaves cgroup.procs before it has finished exiting, and its pid answers as a
    // process until it is reaped, by this JVM or by a parent that may itself be exiting: the
    // session is not over for a caller who looks until every one is gone, a poll or two later.
    if (left.isEmpty() && noneLeft() && cgroup.remove()) {
      done.complete(null);
      return;
    }
    if (System.nanoTime() - deadline >= 0) {
      if (killed) {
        LOG.log(Level.WARNING, "cgroup " + cgroup + " still holds " + left + " after SIGKILL");
        cgroup.remove();
        done.complete(null);
        return;
      }
      killed = true;
      cgroup.closeToForks();
      if (!cgroup.killAll()) {
        signalAll(Signal.KILL);
      }
      deadline = System.nanoTime() + AFTER_KILL_WAIT.toNanos();
    } else if (killed) {
      // A process the barrier let through as it was being written.
      signalAll(Signal.KILL);
    }
    loop.schedule(POLL_INTERVAL, this::check);
  }

  private void signalAll(Signal signal) {
    for (int pid : cgroup.processes()) {
      seen.add(pid);
      ProcessControl.signal(pid, signal.number());
    }
  }

  private boolean noneLeft() {
    // Pids are handed out in turn: one seen here is not another process's for a long while.
    return seen.stream().noneMatch(pid -> Files.exists(Path.of("/proc/" + pid)));
  }
}
