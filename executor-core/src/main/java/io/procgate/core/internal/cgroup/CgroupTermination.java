package io.procgate.core.internal.cgroup;

import io.procgate.core.Signal;
import io.procgate.core.internal.io.EventLoop;
import io.procgate.core.internal.lifecycle.ChildReaper;
import io.procgate.core.internal.lifecycle.TerminationPolicy;
import io.procgate.core.internal.os.ProcessControl;
import io.procgate.core.internal.os.ProcessTree;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Ends every process in a cgroup, whatever process group or session it made for itself, then
 * removes the cgroup, on the event loop without blocking it: every process gets the policy's
 * signal, and what is left after the grace gets SIGKILL (all at once through {@code cgroup.kill}
 * where the kernel has it), with forks refused from then on so that none escapes the sweep. The
 * cgroup is polled every few milliseconds until it is empty.
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
  private final int self = (int) ProcessHandle.current().pid();
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
    // A zombie is out of cgroup.procs, but its pid still answers as a process: the session is
    // not over for a caller who looks until every one is reaped, which takes a poll or two.
    if (left.isEmpty() && unreaped().isEmpty() && cgroup.remove()) {
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

  private List<Integer> unreaped() {
    List<Integer> zombies = ProcessTree.zombieChildren(self);
    zombies.retainAll(seen);
    return zombies;
  }
}
