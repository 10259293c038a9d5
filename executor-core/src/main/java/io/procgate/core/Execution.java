package io.procgate.core;

import io.procgate.core.internal.io.EventLoop;
import io.procgate.core.internal.launch.SpawnedChild;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * A synchronous execution in progress: its output is captured up to the cap while it runs, and
 * {@link #result()} completes once the process has exited and its pipes have drained, or once the
 * drain wait has passed if background processes hold them open.
 *
 * <p>Threading: {@link #result()} completes on the event loop thread, so dependent stages must be
 * quick or run elsewhere; {@link #abandon()} is safe from any thread.
 */
public final class Execution {
  private final EventLoop loop;
  private final SpawnedChild child;
  private final ProcessTable owner;
  private final OutputCapture stdout;
  private final OutputCapture stderr;
  private final CompletableFuture<ExecResult> result = new CompletableFuture<>();
  private ChildSupervisor supervisor;

  Execution(EventLoop loop, ExecutorSettings settings, SpawnedChild child, ProcessTable owner) {
    this.loop = loop;
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
            supervisor.terminate();
          }
        });
  }

  void start(ChildSupervisor supervisor, Duration timeout) {
    this.supervisor = supervisor;
    supervisor.drain(child.stdout(), stdout::append);
    supervisor.drain(child.stderr(), stderr::append);
    supervisor.start(timeout);
  }

  /** What the supervisor reports to; not part of the public surface. */
  ChildSupervisor.Listener listener() {
    return new ChildSupervisor.Listener() {
      @Override
      public void exited(ExitStatus status) {
        owner.release();
      }

      @Override
      public void finished(ExitStatus status, boolean timedOut, long exitNanos) {
        owner.forgetGroupIfEmpty(child.pid());
        result.complete(
            new ExecResult(
                status,
                stdout.result(),
                stderr.result(),
                Duration.ofNanos(exitNanos - child.startNanos()),
                timedOut));
      }
    };
  }
}
