package io.procgate.core;

import io.procgate.core.io.EventLoop;
import io.procgate.core.io.OutputPump;
import io.procgate.core.launch.LaunchPlan;
import io.procgate.core.launch.SpawnedChild;
import io.procgate.core.lifecycle.ChildReaper;
import io.procgate.core.lifecycle.GroupTerminator;
import io.procgate.core.os.OsException;
import io.procgate.core.os.ProcessControl;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * A synchronous execution in progress: its output is captured up to the cap while it runs, and
 * {@link #result()} completes once the process has exited and its pipes have drained, or once the
 * drain wait has passed if background processes hold them open.
 *
 * <p>Threading: the state below is confined to the event loop. {@link #result()} completes on the
 * loop thread, so dependent stages must be quick or run elsewhere; {@link #abandon()} is safe from
 * any thread.
 */
public final class Execution {
  private final EventLoop loop;
  private final ChildReaper reaper;
  private final GroupTerminator terminator;
  private final ExecutorSettings settings;
  private final LaunchPlan plan;
  private final SpawnedChild child;
  private final ProcessGroups owner;
  private final CompletableFuture<ExecResult> result = new CompletableFuture<>();

  private final OutputCapture stdout;
  private final OutputCapture stderr;
  private OutputPump stdoutPump;
  private OutputPump stderrPump;
  private EventLoop.Timer timeoutTimer;
  private EventLoop.Timer drainTimer;
  private ExitStatus status;
  private long exitNanos;
  private boolean timedOut;
  private boolean terminating;

  Execution(
      EventLoop loop,
      ChildReaper reaper,
      GroupTerminator terminator,
      ExecutorSettings settings,
      LaunchPlan plan,
      SpawnedChild child,
      ProcessGroups owner) {
    this.loop = loop;
    this.reaper = reaper;
    this.terminator = terminator;
    this.settings = settings;
    this.plan = plan;
    this.child = child;
    this.owner = owner;
    this.stdout = new OutputCapture(settings.outputCap());
    this.stderr = new OutputCapture(settings.outputCap());
  }

  /** The process id, which is also its process group id. */
  public int pid() {
    return child.pid();
  }

  /** Completes when the execution is over; never completes exceptionally. */
  public CompletableFuture<ExecResult> result() {
    return result;
  }

  /**
   * Nobody waits for the result any more: end the process group by the termination policy. The
   * result still completes, once the process is gone.
   */
  public void abandon() {
    loop.execute(
        () -> {
          if (!result.isDone()) {
            terminate();
          }
        });
  }

  void start() {
    stdoutPump = new OutputPump(loop, child.stdout(), sinkInto(stdout));
    stderrPump = new OutputPump(loop, child.stderr(), sinkInto(stderr));
    stdoutPump.start();
    stderrPump.start();
    reaper.watch(child.pid(), this::onExit);
    if (status == null) {
      timeoutTimer = loop.schedule(plan.timeout(), this::onTimeout);
    }
  }

  private OutputPump.Sink sinkInto(OutputCapture capture) {
    return new OutputPump.Sink() {
      @Override
      public void onData(ByteBuffer chunk) {
        capture.append(chunk);
      }

      @Override
      public void onEnd() {
        if (status != null && pipesClosed()) {
          finish();
        }
      }
    };
  }

  private void onExit(ExitStatus exit) {
    status = exit;
    exitNanos = System.nanoTime();
    if (timeoutTimer != null) {
      timeoutTimer.cancel();
    }
    if (pipesClosed()) {
      finish();
    } else {
      drainTimer = loop.schedule(settings.drainWait(), this::stopReading);
    }
  }

  private void onTimeout() {
    timedOut = true;
    terminate();
  }

  private void stopReading() {
    stdoutPump.stop();
    stderrPump.stop();
  }

  private void terminate() {
    if (!terminating) {
      terminating = true;
      terminator.terminate(child.pid(), settings.terminationPolicy());
    }
  }

  private boolean pipesClosed() {
    return !stdoutPump.isOpen() && !stderrPump.isOpen();
  }

  private void finish() {
    if (result.isDone()) {
      return;
    }
    if (drainTimer != null) {
      drainTimer.cancel();
    }
    if (!groupLivesOn()) {
      owner.remove(child.pid());
    }
    result.complete(
        new ExecResult(
            status,
            stdout.result(),
            stderr.result(),
            Duration.ofNanos(exitNanos - child.startNanos()),
            timedOut));
  }

  private boolean groupLivesOn() {
    try {
      return ProcessControl.groupExists(child.pid());
    } catch (OsException e) {
      return true;
    }
  }
}
