package io.procgate.core;

import io.procgate.core.internal.io.EventLoop;
import io.procgate.core.internal.io.OutputPump;
import io.procgate.core.internal.lifecycle.ChildReaper;
import io.procgate.core.internal.lifecycle.GroupTerminator;
import io.procgate.core.internal.os.ProcessControl;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Watches one child on the event loop: drains its output descriptors, learns its exit, enforces its
 * timeout, and ends its process group when asked. Once the child has exited it waits at most the
 * drain wait for the descriptors to reach end of file (background processes may hold them), then
 * stops reading and reports the child finished.
 *
 * <p>Threading: {@link #drain} and then {@link #start} on the thread that spawned the child, once
 * each; everything else on the loop thread. The listener is called on the loop: {@code exited}
 * once, then {@code finished} once, after every byte of output was handed over.
 */
final class ChildSupervisor {

  /** What the child's owner hears. */
  interface Listener {
    /** The child exited; output may still be draining. */
    void exited(ExitStatus status);

    /** No more output will come. */
    void finished(ExitStatus status, boolean timedOut, long exitNanos);
  }

  private final EventLoop loop;
  private final ChildReaper reaper;
  private final GroupTerminator terminator;
  private final ExecutorSettings settings;
  private final ChildReaper.Child process;
  private final Listener listener;
  private final List<OutputPump> pumps = new ArrayList<>();
  private EventLoop.Timer timeoutTimer;
  private EventLoop.Timer drainTimer;
  private ExitStatus status;
  private long exitNanos;
  private boolean timedOut;
  private boolean terminating;
  private boolean finished;

  ChildSupervisor(
      EventLoop loop,
      ChildReaper reaper,
      GroupTerminator terminator,
      ExecutorSettings settings,
      ChildReaper.Child process,
      Listener listener) {
    this.loop = loop;
    this.reaper = reaper;
    this.terminator = terminator;
    this.settings = settings;
    this.process = process;
    this.listener = listener;
  }

  /** Drains {@code fd}, which the supervisor then owns, into {@code consumer}; before start. */
  void drain(int fd, Consumer<ByteBuffer> consumer) {
    pumps.add(
        new OutputPump(
            loop,
            fd,
            new OutputPump.Sink() {
              @Override
              public void onData(ByteBuffer chunk) {
                consumer.accept(chunk);
              }

              @Override
              public void onEnd() {
                if (status != null && pumpsClosed()) {
                  finish();
                }
              }
            }));
  }

  /**
   * Starts watching; {@code timeout} null for a child that may run for ever. From here on the loop
   * may be running the supervisor: the timer is set before anything can end the child's watch, and
   * the exit, which decides when the child is finished, is watched last.
   */
  void start(Duration timeout) {
    if (timeout != null) {
      timeoutTimer = loop.schedule(timeout, this::onTimeout);
    }
    try {
      pumps.forEach(OutputPump::start);
      reaper.watch(process, this::onExit);
    } catch (RuntimeException refused) {
      // epoll took not every descriptor: nothing would learn of the child's end. It is killed, and
      // what was set up comes down on the loop, where the pumps may already be running.
      ProcessControl.signalGroup(process.pid(), Signal.KILL.number());
      loop.execute(this::abandonWatch);
      throw refused;
    }
  }

  /** Closes what a failed {@link #start} opened; the sweep reaps the killed child. */
  private void abandonWatch() {
    pumps.forEach(OutputPump::stop);
    reaper.forget(process);
    onExit(ExitStatus.killedBy(Signal.KILL.number()));
  }

  boolean hasExited() {
    return status != null;
  }

  /** Ends the child's process group by the termination policy, once. */
  void terminate() {
    if (!terminating && !finished) {
      terminating = true;
      terminator.terminate(process.pid(), settings.terminationPolicy());
    }
  }

  private void onExit(ExitStatus exit) {
    status = exit;
    exitNanos = System.nanoTime();
    if (timeoutTimer != null) {
      timeoutTimer.cancel();
    }
    listener.exited(exit);
    if (pumpsClosed()) {
      finish();
    } else {
      drainTimer = loop.schedule(settings.drainWait(), () -> pumps.forEach(OutputPump::stop));
    }
  }

  private void onTimeout() {
    timedOut = true;
    terminate();
  }

  private boolean pumpsClosed() {
    return pumps.stream().noneMatch(OutputPump::isOpen);
  }

  private void finish() {
    if (finished) {
      return;
    }
    finished = true;
    if (drainTimer != null) {
      drainTimer.cancel();
    }
    listener.finished(status, timedOut, exitNanos);
  }
}
