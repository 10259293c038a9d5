package io.procgate.core.lifecycle;

import io.procgate.core.ExitStatus;
import io.procgate.core.io.EventLoop;
import io.procgate.core.os.Epoll;
import io.procgate.core.os.FileDescriptors;
import io.procgate.core.os.ProcessControl;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Reaps every child of this JVM and hands each watched child's exit status to its watcher.
 *
 * <p>A watched child's pidfd wakes the loop the moment it exits; a sweep every second reaps the
 * rest: orphans this JVM adopted as a child subreaper. Because {@code waitpid(-1)} takes any child,
 * nothing else in this JVM may start processes ({@code ProcessBuilder} would lose its exit codes).
 *
 * <p>Threading: loop thread only. A child may exit and be reaped between its spawn and its {@link
 * #watch}; its status then waits, among the statuses nobody claimed, for the watch to come.
 */
public final class ChildReaper {
  private static final int MAX_UNCLAIMED = 4096;
  private static final Duration SWEEP_INTERVAL = Duration.ofSeconds(1);

  private record Watch(int pidfd, Consumer<ExitStatus> onExit) {}

  private final EventLoop loop;
  private final Map<Integer, Watch> watches = new HashMap<>();
  private final LinkedHashMap<Integer, ExitStatus> unclaimed = new LinkedHashMap<>();

  public ChildReaper(EventLoop loop) {
    this.loop = loop;
    loop.execute(this::sweep);
  }

  /** Calls {@code onExit} once, on the loop, when child {@code pid} has exited and been reaped. */
  public void watch(int pid, Consumer<ExitStatus> onExit) {
    ExitStatus early = unclaimed.remove(pid);
    if (early != null) {
      onExit.accept(early);
      return;
    }
    int pidfd = ProcessControl.openPidfd(pid);
    watches.put(pid, new Watch(pidfd, onExit));
    loop.register(pidfd, Epoll.IN, events -> reapAll());
  }

  /** Reaps every child that has exited. */
  public void reapAll() {
    ProcessControl.Reaped reaped;
    while ((reaped = ProcessControl.reapAny()) != null) {
      Watch watch = watches.remove(reaped.pid());
      if (watch == null) {
        remember(reaped.pid(), reaped.status());
        continue;
      }
      loop.unregister(watch.pidfd());
      FileDescriptors.close(watch.pidfd());
      watch.onExit().accept(reaped.status());
    }
  }

  private void remember(int pid, ExitStatus status) {
    unclaimed.put(pid, status);
    if (unclaimed.size() > MAX_UNCLAIMED) {
      Iterator<Integer> oldest = unclaimed.keySet().iterator();
      oldest.next();
      oldest.remove();
    }
  }

  private void sweep() {
    reapAll();
    loop.schedule(SWEEP_INTERVAL, this::sweep);
  }
}
