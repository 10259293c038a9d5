package io.procgate.core.internal.lifecycle;

import io.procgate.core.ExitStatus;
import io.procgate.core.internal.io.EventLoop;
import io.procgate.core.internal.os.Epoll;
import io.procgate.core.internal.os.FileDescriptors;
import io.procgate.core.internal.os.OsException;
import io.procgate.core.internal.os.ProcessControl;
import io.procgate.core.internal.os.ProcessTree;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import java.util.function.IntSupplier;

/**
 * Reaps this JVM's children: each child the executor starts by its own pid, when its pidfd says it
 * exited, and orphans this JVM adopted as a child subreaper by a sweep.
 *
 * <p>A pid is only ever matched to the process it was spawned for: a child is registered, and its
 * pidfd opened, before anything can reap it, and the sweep never reaps a registered child. The
 * sweep decides what to reap while spawns are held off ({@link #spawn} holds a shared lock, the
 * sweep's decision the exclusive one), so a child whose registration was still to come when the
 * sweep found it is registered by then. A pid is not reused before its process is reaped, and each
 * child is reaped by its own watch, so a status always reaches the process it belongs to. Nothing
 * else in this JVM may start processes: the sweep reaps every child it does not know.
 *
 * <p>Threading: {@link #spawn} and {@link #watch} from any thread; {@link #sweepOrphans} on the
 * loop.
 */
public final class ChildReaper {
  private static final System.Logger LOG = System.getLogger(ChildReaper.class.getName());
  private static final Duration SWEEP_INTERVAL = Duration.ofSeconds(1);
  // Terminations ask for sweeps every few milliseconds; one scan of /proc serves them all.
  private static final long MIN_SWEEP_GAP_NANOS = 10_000_000;

  /** A child just started: its pid and its pidfd, which the reaper owns from now on. */
  public record Child(int pid, int pidfd) {}

  private final EventLoop loop;
  private final ReadWriteLock spawning = new ReentrantReadWriteLock();
  private final Map<Integer, Child> ours = new ConcurrentHashMap<>();
  private final int self = (int) ProcessHandle.current().pid();
  private long lastSweepNanos;

  public ChildReaper(EventLoop loop) {
    this.loop = loop;
    loop.execute(this::sweepPeriodically);
  }

  /**
   * Starts a child with {@code spawn} (which returns its pid) and registers it before anything can
   * reap it. Safe from any thread.
   *
   * @throws io.procgate.core.internal.os.OsException when the pidfd cannot be opened; the child is
   *     then killed, and the sweep reaps it
   */
  public Child spawn(IntSupplier spawn) {
    spawning.readLock().lock();
    try {
      int pid = spawn.getAsInt();
      try {
        Child child = new Child(pid, ProcessControl.openPidfd(pid));
        ours.put(pid, child);
        return child;
      } catch (RuntimeException e) {
        ProcessControl.signalGroup(pid, 9);
        throw e;
      }
    } finally {
      spawning.readLock().unlock();
    }
  }

  /** Calls {@code onExit} once, on the loop, when {@code child} has exited and been reaped. */
  public void watch(Child child, Consumer<ExitStatus> onExit) {
    loop.register(
        child.pidfd(),
        Epoll.IN,
        events -> {
          ExitStatus status;
          try {
            status = ProcessControl.reap(child.pid());
          } catch (OsException e) {
            // Someone outside the executor reaped it; its status is lost, its watch must end.
            LOG.log(Level.WARNING, "child " + child.pid() + " was reaped elsewhere", e);
            status = ExitStatus.exited(255);
          }
          if (status == null) {
            return;
          }
          loop.unregister(child.pidfd());
          FileDescriptors.close(child.pidfd());
          // Only this child's entry: by now a new child may have been given the same pid.
          ours.remove(child.pid(), child);
          onExit.accept(status);
        });
  }

  /**
   * Gives up a child whose watch could not start: its pidfd is closed and the sweep reaps it, as an
   * orphan, once it is a zombie. Loop thread.
   */
  public void forget(Child child) {
    ours.remove(child.pid(), child);
    FileDescriptors.close(child.pidfd());
  }

  /** Reaps the zombies among this JVM's children that are not the executor's own: orphans. */
  public void sweepOrphans() {
    long now = System.nanoTime();
    if (now - lastSweepNanos < MIN_SWEEP_GAP_NANOS) {
      return;
    }
    lastSweepNanos = now;
    // Most sweeps find no child to reap, and are over without reading /proc.
    if (ProcessControl.exitedChild() == 0) {
      return;
    }
    // Read before the lock, which holds back every spawn: a scan takes milliseconds.
    List<Integer> zombies = ProcessTree.zombieChildren(self);
    spawning.writeLock().lock();
    try {
      for (int zombie : zombies) {
        if (!ours.containsKey(zombie)) {
          ProcessControl.reap(zombie);
        }
      }
    } finally {
      spawning.writeLock().unlock();
    }
  }

  private void sweepPeriodically() {
    sweepOrphans();
    loop.schedule(SWEEP_INTERVAL, this::sweepPeriodically);
  }
}
