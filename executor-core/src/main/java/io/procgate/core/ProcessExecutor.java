package io.procgate.core;

import io.procgate.core.io.EventLoop;
import io.procgate.core.launch.LaunchPlan;
import io.procgate.core.launch.Launcher;
import io.procgate.core.launch.SpawnedChild;
import io.procgate.core.lifecycle.ChildReaper;
import io.procgate.core.lifecycle.GroupTerminator;
import io.procgate.core.os.FileDescriptors;
import io.procgate.core.os.ProcessControl;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Runs processes: the entry point of the core.
 *
 * <p>Every process gets its own session and process group, a clean environment, and the account the
 * request resolves to. One event loop thread watches all of their descriptors and exits.
 * Thread-safe; calls that start a process block their caller for about a millisecond, for the spawn
 * itself, and never longer.
 */
public final class ProcessExecutor implements AutoCloseable {
  private final ExecutorSettings settings;
  private final Launcher launcher;
  private final EventLoop loop;
  private final ChildReaper reaper;
  private final GroupTerminator terminator;

  /**
   * @throws IllegalStateException when the settings cannot work here, such as a default user the
   *     server may not switch to
   */
  public ProcessExecutor(ExecutorSettings settings) {
    this.settings = settings;
    this.launcher = new Launcher(settings);
    if (settings.reapOrphans()) {
      ProcessControl.becomeChildSubreaper();
    }
    this.loop = new EventLoop("procgate-io");
    this.reaper = new ChildReaper(loop);
    this.terminator = new GroupTerminator(loop, reaper);
  }

  public ExecutorSettings settings() {
    return settings;
  }

  /** The account the server runs as. */
  public Account serverAccount() {
    return launcher.serverAccount();
  }

  /**
   * Starts a synchronous execution: stdin is {@code /dev/null}, stdout and stderr are captured.
   *
   * @param owner the owner whose process groups the new one joins
   * @throws ProcessException when the request is invalid or the process cannot start; nothing runs
   *     then
   */
  public Execution exec(LaunchRequest request, ProcessGroups owner) {
    LaunchPlan plan = launcher.plan(request);
    SpawnedChild child = start(plan, false, owner);
    Execution execution = new Execution(loop, reaper, terminator, settings, plan, child, owner);
    loop.execute(execution::start);
    return execution;
  }

  /**
   * Ends every process group of {@code owner} by the termination policy; the owner takes no new
   * process from now on.
   *
   * @return completes once every group is gone
   */
  public CompletableFuture<Void> terminateAll(ProcessGroups owner) {
    return CompletableFuture.allOf(
        owner.close().stream()
            .map(pgid -> terminator.terminate(pgid, settings.terminationPolicy()))
            .toArray(CompletableFuture[]::new));
  }

  private SpawnedChild start(LaunchPlan plan, boolean stdinPipe, ProcessGroups owner) {
    if (owner.isClosed()) {
      throw ownerClosed();
    }
    SpawnedChild child = launcher.spawn(plan, stdinPipe);
    if (!owner.add(child.pid())) {
      terminator.terminate(child.pid(), new TerminationPolicy(Signal.KILL, Duration.ZERO));
      FileDescriptors.close(child.stdin());
      FileDescriptors.close(child.stdout());
      FileDescriptors.close(child.stderr());
      FileDescriptors.close(child.terminal());
      throw ownerClosed();
    }
    return child;
  }

  private static ProcessException ownerClosed() {
    return new ProcessException(ProcessException.Kind.OWNER_CLOSED, "the session is being deleted");
  }

  /** Stops the event loop. End the owners' process groups first, with {@link #terminateAll}. */
  @Override
  public void close() {
    loop.close();
  }
}
