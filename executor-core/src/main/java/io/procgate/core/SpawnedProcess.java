package io.procgate.core;

import io.procgate.core.ProcessException.Kind;
import io.procgate.core.internal.io.EventLoop;
import io.procgate.core.internal.io.StdinWriter;
import io.procgate.core.internal.launch.LaunchPlan;
import io.procgate.core.internal.launch.SpawnedChild;
import io.procgate.core.internal.os.FileDescriptors;
import io.procgate.core.internal.os.OsException;
import io.procgate.core.internal.os.ProcessControl;
import io.procgate.core.internal.os.ProcessTree;
import io.procgate.core.internal.os.Pty;
import io.procgate.core.internal.stream.OutputBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;

/**
 * A process started with {@link ProcessExecutor#spawn}: it runs on its own, its output drained into
 * a bounded {@link OutputBuffer} whether anyone reads it or not, until it exits; then it stays
 * queryable for its owner's retention time.
 *
 * <p>Threading: every public method is safe from any thread and returns without waiting on the
 * process; what takes time ({@link #usage()}, stdin, resizing) answers through a future.
 */
public final class SpawnedProcess {
  static final long CPU_WINDOW_MILLIS = 200;
  // A reading older than this is too old to measure the recent CPU use against.
  private static final Duration STALE_READING = Duration.ofSeconds(10);

  /** CPU use of the process tree in percent of one core, and its resident memory. */
  public record Usage(double cpuPercent, long memoryBytes) {}

  private final UUID id;
  private final EventLoop loop;
  private final ExecutorSettings settings;
  private final LaunchPlan plan;
  private final SpawnedChild child;
  private final ProcessTable owner;
  private final OutputBuffer output;
  private final StdinWriter stdin;
  private final Executor blocking;
  private final ProcessEvents events;
  private ChildSupervisor supervisor;
  private ProcessTree.Usage lastReading;
  private volatile ExitStatus exitStatus;
  private volatile Instant endedAt;

  SpawnedProcess(
      UUID id,
      EventLoop loop,
      ExecutorSettings settings,
      LaunchPlan plan,
      SpawnedChild child,
      ProcessTable owner,
      Executor blocking,
      ProcessEvents events) {
    this.id = id;
    this.events = events;
    this.blocking = blocking;
    this.loop = loop;
    this.settings = settings;
    this.plan = plan;
    this.child = child;
    this.owner = owner;
    this.output = new OutputBuffer(settings.outputBuffer());
    this.stdin =
        hasTerminal()
            ? new StdinWriter(loop, FileDescriptors.duplicate(child.terminal()), true)
            : new StdinWriter(loop, child.stdin(), false);
  }

  public UUID id() {
    return id;
  }

  /** The process id, which is also its process group and session id. */
  public int pid() {
    return child.pid();
  }

  public Instant startedAt() {
    return child.startedAt();
  }

  /** The command line as it was run. */
  public String commandLine() {
    return plan.commandLine();
  }

  public boolean hasTerminal() {
    return child.terminal() >= 0;
  }

  public boolean isRunning() {
    return exitStatus == null;
  }

  public Optional<ExitStatus> exitStatus() {
    return Optional.ofNullable(exitStatus);
  }

  public Optional<Instant> endedAt() {
    return Optional.ofNullable(endedAt);
  }

  /**
   * The process's output events, see {@link OutputBuffer#subscribe}.
   *
   * @throws IllegalArgumentException when {@code after} is past the output so far
   */
  public Flow.Publisher<OutputEvent> output(long after, Executor delivery, Duration heartbeat) {
    return output.subscribe(after, delivery, heartbeat, loop);
  }

  /**
   * Writes to the process's stdin, then closes it if {@code close} (on a terminal, sends EOF).
   *
   * @return the count written; short if the process did not read within the stdin wait
   * @throws ProcessException when the process has exited or its stdin is closed
   */
  public CompletableFuture<Integer> writeStdin(byte[] data, boolean close) {
    requireRunning();
    return stdin.write(data, close, settings.stdinWait());
  }

  /** Sends {@code signal} to the process's whole group. */
  public void signal(Signal signal) {
    requireRunning();
    try {
      ProcessControl.signalGroup(pid(), signal.number());
    } catch (OsException e) {
      throw new ProcessException(
          Kind.SYSTEM_FAILURE, "cannot signal process " + pid() + ": " + e.getMessage(), e);
    }
  }

  /** Resizes the process's terminal; the process gets SIGWINCH. */
  public CompletableFuture<Void> resize(TerminalSize size) {
    if (!hasTerminal()) {
      throw new ProcessException(Kind.NOT_A_TERMINAL, "process " + id + " has no terminal");
    }
    requireRunning();
    CompletableFuture<Void> done = new CompletableFuture<>();
    loop.execute(
        () -> {
          // The terminal's descriptor lives until the process has exited and its output drained.
          if (supervisor.hasExited()) {
            done.completeExceptionally(exited());
            return;
          }
          Pty.resize(child.terminal(), size.rows(), size.cols());
          done.complete(null);
        });
    return done;
  }

  /**
   * CPU and memory of the process tree. The CPU use is measured against the previous reading when
   * there is a recent one; otherwise over a window of {@value #CPU_WINDOW_MILLIS} ms, after which
   * the answer comes. {@code /proc} is read on the executor's blocking threads, never the caller's.
   */
  public CompletableFuture<Usage> usage() {
    CompletableFuture<Usage> result = new CompletableFuture<>();
    blocking.execute(() -> measure(result));
    return result;
  }

  private void measure(CompletableFuture<Usage> result) {
    try {
      if (!isRunning()) {
        result.complete(new Usage(0, 0));
        return;
      }
      ProcessTree.Usage now = ProcessTree.of(pid());
      ProcessTree.Usage previous = swapReading(now);
      long age = previous == null ? Long.MAX_VALUE : now.takenNanos() - previous.takenNanos();
      if (age <= STALE_READING.toNanos() && age >= CPU_WINDOW_MILLIS * 1_000_000 / 2) {
        result.complete(between(previous, now));
        return;
      }
      loop.schedule(
          Duration.ofMillis(CPU_WINDOW_MILLIS),
          () -> blocking.execute(() -> measureAgainst(now, result)));
    } catch (RuntimeException e) {
      result.completeExceptionally(e);
    }
  }

  private void measureAgainst(ProcessTree.Usage start, CompletableFuture<Usage> result) {
    try {
      ProcessTree.Usage now = ProcessTree.of(pid());
      swapReading(now);
      result.complete(between(start, now));
    } catch (RuntimeException e) {
      result.completeExceptionally(e);
    }
  }

  private synchronized ProcessTree.Usage swapReading(ProcessTree.Usage reading) {
    ProcessTree.Usage previous = lastReading;
    lastReading = reading;
    return previous;
  }

  private static Usage between(ProcessTree.Usage start, ProcessTree.Usage end) {
    long elapsed = Math.max(1, end.takenNanos() - start.takenNanos());
    double percent = 100.0 * Math.max(0, end.cpuNanos() - start.cpuNanos()) / elapsed;
    return new Usage(percent, end.rssBytes());
  }

  void start(ChildSupervisor supervisor, Duration timeout) {
    this.supervisor = supervisor;
    if (hasTerminal()) {
      supervisor.drain(child.terminal(), chunk -> output.append(OutputEvent.Source.STDOUT, chunk));
    } else {
      supervisor.drain(child.stdout(), chunk -> output.append(OutputEvent.Source.STDOUT, chunk));
      supervisor.drain(child.stderr(), chunk -> output.append(OutputEvent.Source.STDERR, chunk));
    }
    supervisor.start(timeout);
  }

  /** What the supervisor reports to; not part of the public surface. */
  ChildSupervisor.Listener listener() {
    return new ChildSupervisor.Listener() {
      @Override
      public void exited(ExitStatus status) {
        endedAt = Instant.now();
        exitStatus = status;
        stdin.shutDown(SpawnedProcess.this.exited());
        owner.release();
      }

      @Override
      public void finished(ExitStatus status, boolean timedOut, long exitNanos) {
        output.finish(status);
        owner.forgetGroupIfEmpty(pid());
        events.ended(
            new ProcessEvents.End(
                ProcessEvents.Kind.SPAWN,
                ProcessEvents.Outcome.of(status, timedOut),
                Duration.ofNanos(exitNanos - child.startNanos()),
                output.endOffset()));
      }
    };
  }

  private void requireRunning() {
    if (!isRunning()) {
      throw exited();
    }
  }

  private ProcessException exited() {
    return new ProcessException(Kind.PROCESS_EXITED, "process " + id + " has exited");
  }
}
