package io.procgate.core;

import io.procgate.core.internal.cgroup.CgroupTermination;
import io.procgate.core.internal.cgroup.Cgroups;
import io.procgate.core.internal.io.EventLoop;
import io.procgate.core.internal.launch.LaunchPlan;
import io.procgate.core.internal.launch.Launcher;
import io.procgate.core.internal.launch.SessionAccounts;
import io.procgate.core.internal.launch.SpawnedChild;
import io.procgate.core.internal.lifecycle.ChildReaper;
import io.procgate.core.internal.lifecycle.GroupTerminator;
import io.procgate.core.internal.lifecycle.TerminationPolicy;
import io.procgate.core.internal.os.FileDescriptors;
import io.procgate.core.internal.os.HostClaims;
import io.procgate.core.internal.os.OsException;
import io.procgate.core.internal.os.ProcessControl;
import io.procgate.core.internal.os.ProcessTree;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Runs processes: the entry point of the core.
 *
 * <p>Every process gets its own session and process group, a clean environment, and the account the
 * request resolves to. One event loop thread watches all of their descriptors and exits.
 * Thread-safe; calls that start a process block their caller for about a millisecond, for the spawn
 * itself, and never longer.
 *
 * <p>One executor per JVM, and nothing else in the JVM may start child processes ({@link
 * ProcessBuilder} included): the executor makes the JVM a child subreaper, so that the orphans of
 * its processes are re-parented to it, and it reaps every child it did not start itself. Another
 * starter's children would be reaped under it, their exit status lost.
 */
public final class ProcessExecutor implements AutoCloseable {
  // Not -1000, which would make the server immune: a last resort must remain for the kernel.
  private static final int OWN_OOM_SCORE = -999;

  private final ExecutorSettings settings;
  private final Cgroups cgroups;
  private final Launcher launcher;
  // Empty when owners share the default account, for the reason beside it.
  private final Optional<SessionAccounts> accounts;
  private final String sharedBecause;
  private final EventLoop loop;
  private final ChildReaper reaper;
  private final GroupTerminator terminator;
  private final ProcessEvents events;
  // Reads of /proc for usage: a few milliseconds each, kept off callers' and the loop's threads.
  private final ExecutorService blocking =
      Executors.newFixedThreadPool(
          2,
          runnable -> {
            Thread thread = new Thread(runnable, "procgate-proc");
            thread.setDaemon(true);
            return thread;
          });

  /**
   * @throws IllegalStateException when the settings cannot work here, such as a default user the
   *     server may not switch to
   */
  public ProcessExecutor(ExecutorSettings settings) {
    this(settings, ProcessEvents.NONE);
  }

  /**
   * An executor that tells {@code events} how each process started by {@link #exec} or {@link
   * #spawn} ends.
   *
   * @throws IllegalStateException as {@link #ProcessExecutor(ExecutorSettings)}
   */
  public ProcessExecutor(ExecutorSettings settings, ProcessEvents events) {
    this.settings = settings;
    this.events = events;
    this.cgroups = Cgroups.discover(settings.containment());
    if (settings.containment().required() && cgroups.unavailable().isPresent()) {
      throw new IllegalStateException(
          "containment is required, but no cgroup can be made: " + cgroups.unavailable().get());
    }
    ProcessControl.becomeChildSubreaper();
    // The OOM killer's last choice; the processes it starts are made its first.
    ProcessControl.setOomScoreAdjustment(0, OWN_OOM_SCORE);
    this.loop = new EventLoop("procgate-io");
    this.reaper = new ChildReaper(loop);
    this.launcher = new Launcher(settings, reaper);
    this.terminator = new GroupTerminator(loop, reaper);
    Optional<SessionAccounts> own = Optional.empty();
    String shared = "as configured";
    if (settings.sessionUids().isPresent()) {
      if (launcher.serverAccount().uid() != 0) {
        shared = "the server does not run as root, so it cannot switch users";
      } else {
        try {
          own =
              Optional.of(
                  new SessionAccounts(
                      settings.sessionUids().get(), HostClaims.HOST.resolve("uids")));
        } catch (IOException e) {
          shared = "the host-wide claims of uids cannot be kept in " + HostClaims.HOST + ": " + e;
        }
      }
    }
    this.accounts = own;
    this.sharedBecause = shared;
  }

  public ExecutorSettings settings() {
    return settings;
  }

  /** The account the server runs as. */
  public Account serverAccount() {
    return launcher.serverAccount();
  }

  /** The account processes run as when a request names none. */
  public Account defaultAccount() {
    return launcher.defaultAccount();
  }

  /**
   * Whether each owner made by {@link #newTable(String, Path)} gets an account of its own: asked
   * for by the settings, and possible where the server runs as root.
   */
  public boolean ownersHaveOwnAccounts() {
    return accounts.isPresent();
  }

  /**
   * Which account owners' processes run as here, for people: a uid of their own from a range, or
   * the one account they share, and why.
   */
  public String accounts() {
    if (accounts.isPresent()) {
      return "an account of their own each, a uid from " + accounts.get().range();
    }
    Account shared = defaultAccount();
    return "one account, " + shared.name() + " (uid " + shared.uid() + "): " + sharedBecause;
  }

  /**
   * How owners' processes are contained here, for people: the cgroups in use, or why there are none
   * (then they are held by their process groups only).
   */
  public String containment() {
    return cgroups
        .unavailable()
        .map(why -> "process groups only: " + why)
        .orElse(cgroups.describe());
  }

  /**
   * A new, empty table for one owner's processes, with this executor's limits, in a cgroup of its
   * own named {@code name} where cgroups can be made, and with an account of its own whose home is
   * {@code home} where {@link #ownersHaveOwnAccounts()}. Once its processes have ended, {@link
   * #retire} it.
   *
   * @throws ProcessException when its cgroup cannot be made or no uid is free
   */
  public ProcessTable newTable(String name, Path home) {
    Account account = accounts.map(own -> own.take(home)).orElse(defaultAccount());
    if (cgroups.unavailable().isPresent()) {
      return new ProcessTable(settings, null, account, accounts.isPresent(), false);
    }
    try {
      return new ProcessTable(settings, cgroups.create(name), account, accounts.isPresent(), false);
    } catch (IOException e) {
      accounts.ifPresent(own -> own.giveBack(account));
      throw new ProcessException(
          ProcessException.Kind.SYSTEM_FAILURE, "cannot make the cgroup of " + name + ": " + e, e);
    }
  }

  /**
   * Gives back the account of an owner whose processes have ended ({@link #terminateAll}) and whose
   * files are gone, killing first whatever still runs as it, outside the owner's groups and cgroup.
   * Blocks for a read of {@code /proc}, a few milliseconds; call it off event loops.
   *
   * @return false when processes of the account outlived the kills; its uid is not used again then
   */
  public boolean retire(ProcessTable owner) {
    return !owner.ownsAccount() || accounts.get().giveBack(owner.account());
  }

  /**
   * Completes once the thread that watches every process has run a task submitted now: a loop that
   * does not answer sees no exits and no output, so a health check asks it.
   */
  public CompletableFuture<Void> ping() {
    CompletableFuture<Void> answered = new CompletableFuture<>();
    loop.execute(() -> answered.complete(null));
    return answered;
  }

  /**
   * A new, empty table for processes of the server's own, in no cgroup of their own, run as the
   * default account; the events do not hear of them.
   */
  public ProcessTable newTable() {
    return new ProcessTable(settings, null, defaultAccount(), false, true);
  }

  /**
   * Starts a synchronous execution: stdin is {@code /dev/null}, stdout and stderr are captured.
   *
   * @param owner the owner the process counts against and whose groups the new one joins
   * @throws ProcessException when the request is invalid, the owner runs its maximum of processes,
   *     or the process cannot start; nothing runs then
   */
  public Execution exec(LaunchRequest request, ProcessTable owner) {
    Started started = startRequested(request, false, owner, ProcessEvents.Kind.EXEC);
    LaunchPlan plan = started.plan();
    SpawnedChild child = started.child();
    Execution execution = new Execution(loop, settings, child, owner);
    execution
        .result()
        .thenAccept(
            result ->
                eventsOf(owner)
                    .ended(
                        new ProcessEvents.End(
                            ProcessEvents.Kind.EXEC,
                            ProcessEvents.Outcome.of(result.status(), result.timedOut()),
                            result.duration(),
                            result.stdout().totalBytes() + result.stderr().totalBytes())));
    ChildSupervisor supervisor =
        new ChildSupervisor(
            loop, reaper, terminator, settings, child.process(), execution.listener());
    startWatching(() -> execution.start(supervisor, plan.timeout()));
    return execution;
  }

  /**
   * Starts a process that runs on its own: stdin is a pipe (or a terminal, if the request asks for
   * one) and its output is drained into a bounded buffer.
   *
   * @throws ProcessException as {@link #exec} does
   */
  public SpawnedProcess spawn(LaunchRequest request, ProcessTable owner) {
    Started started = startRequested(request, true, owner, ProcessEvents.Kind.SPAWN);
    LaunchPlan plan = started.plan();
    SpawnedChild child = started.child();
    SpawnedProcess process =
        new SpawnedProcess(
            UUID.randomUUID(), loop, settings, plan, child, owner, blocking, eventsOf(owner));
    owner.add(process);
    ChildSupervisor supervisor =
        new ChildSupervisor(
            loop, reaper, terminator, settings, child.process(), process.listener());
    startWatching(() -> process.start(supervisor, plan.timeout()));
    return process;
  }

  /**
   * Starts a {@link ServiceProcess} for {@code owner}: no timeout, stdin {@code /dev/null}, not
   * counted against its process limit; its group ends with the owner's others.
   *
   * @throws ProcessException as {@link #exec} does, but for the limit
   */
  public ServiceProcess startService(
      LaunchRequest request, ProcessTable owner, ServiceProcess.Lines lines) {
    return startService(request, owner, null, lines);
  }

  /**
   * As {@link #startService(LaunchRequest, ProcessTable, ServiceProcess.Lines)}, its stdout handed
   * to {@code stdout} as it comes and its stderr to {@code stderr} line by line.
   */
  public ServiceProcess startService(
      LaunchRequest request,
      ProcessTable owner,
      ServiceProcess.Bytes stdout,
      ServiceProcess.Lines stderr) {
    LaunchPlan plan = launcher.plan(request, owner.account());
    SpawnedChild child = start(plan, false, owner, false);
    ServiceProcess service = new ServiceProcess(child, owner);
    ChildSupervisor supervisor =
        new ChildSupervisor(
            loop, reaper, terminator, settings, child.process(), service.listener());
    startWatching(() -> service.start(supervisor, stdout, stderr));
    return service;
  }

  /**
   * Ends the service's process group by the termination policy.
   *
   * @return completes once the group is gone
   */
  public CompletableFuture<Void> terminate(ServiceProcess service) {
    return terminator.terminate(service.pid(), settings.terminationPolicy());
  }

  /**
   * Ends, by the termination policy, the process groups of every process whose environment holds
   * {@code entry}: the helpers a service started that left its process group, found by a variable
   * only that service's tree has.
   *
   * @return completes once those groups are gone
   */
  public CompletableFuture<Void> terminateByEnvironment(String entry) {
    return CompletableFuture.supplyAsync(() -> ProcessTree.groupsWithEnvironment(entry), blocking)
        .thenCompose(
            groups ->
                CompletableFuture.allOf(
                    groups.stream()
                        .filter(group -> group > 1)
                        .map(group -> terminator.terminate(group, settings.terminationPolicy()))
                        .toArray(CompletableFuture[]::new)));
  }

  /**
   * Ends every process group of {@code owner} by the termination policy; the owner takes no new
   * process from now on.
   *
   * @return completes once every group is gone
   */
  public CompletableFuture<Void> terminateAll(ProcessTable owner) {
    Set<Integer> groups = owner.close();
    CompletableFuture<Void> groupsEnded =
        CompletableFuture.allOf(
            groups.stream()
                .map(pgid -> terminator.terminate(pgid, settings.terminationPolicy()))
                .toArray(CompletableFuture[]::new));
    if (owner.cgroup() == null) {
      return groupsEnded;
    }
    // The cgroup holds those that left their groups too; the groups are ended as well, so that a
    // process that is somehow outside the cgroup still ends with its owner.
    return CompletableFuture.allOf(
        CgroupTermination.terminate(loop, reaper, owner.cgroup(), settings.terminationPolicy()),
        groupsEnded);
  }

  private record Started(LaunchPlan plan, SpawnedChild child) {}

  /** The events an owner's processes are told to: none for the server's own. */
  private ProcessEvents eventsOf(ProcessTable owner) {
    return owner.servers() ? ProcessEvents.NONE : events;
  }

  /** Plans and starts the process of an exec or spawn; when none starts, the events hear of it. */
  private Started startRequested(
      LaunchRequest request, boolean stdinPipe, ProcessTable owner, ProcessEvents.Kind kind) {
    try {
      LaunchPlan plan = launcher.plan(request, owner.account());
      return new Started(plan, start(plan, stdinPipe, owner, true));
    } catch (ProcessException refused) {
      eventsOf(owner).ended(ProcessEvents.End.failedToStart(kind));
      throw refused;
    }
  }

  /**
   * Hands a new child to the loop from the spawning thread, which registers its descriptors itself
   * rather than wake the loop for it (see {@link ChildSupervisor#start}).
   *
   * @throws ProcessException when epoll refuses a descriptor; the child is killed then
   */
  private static void startWatching(Runnable start) {
    try {
      start.run();
    } catch (OsException e) {
      throw new ProcessException(
          ProcessException.Kind.SYSTEM_FAILURE,
          "cannot watch the new process: " + e.getMessage(),
          e);
    }
  }

  /**
   * @param counted whether the process takes one of the owner's running slots, given back by its
   *     supervisor's listener when it exits
   */
  private SpawnedChild start(
      LaunchPlan plan, boolean stdinPipe, ProcessTable owner, boolean counted) {
    if (counted) {
      owner.reserve();
    } else {
      owner.requireOpen();
    }
    SpawnedChild child;
    try {
      child = launcher.spawn(plan, stdinPipe, owner.place());
    } catch (RuntimeException e) {
      if (counted) {
        owner.release();
      }
      throw e;
    }
    if (!owner.track(child.pid())) {
      // The owner closed while the child started: end it at once, and reap it.
      terminator.terminate(child.pid(), new TerminationPolicy(Signal.KILL, Duration.ZERO));
      loop.execute(() -> reaper.watch(child.process(), status -> {}));
      FileDescriptors.close(child.stdin());
      FileDescriptors.close(child.stdout());
      FileDescriptors.close(child.stderr());
      FileDescriptors.close(child.terminal());
      if (counted) {
        owner.release();
      }
      throw new ProcessException(
          ProcessException.Kind.OWNER_CLOSED, "the session is being deleted");
    }
    return child;
  }

  /**
   * Ends, by the termination policy, every process group this JVM's children are in (which takes
   * care of orphans it adopted), then stops the event loop. End the owners' groups first, with
   * {@link #terminateAll}.
   */
  @Override
  public void close() {
    int self = (int) ProcessHandle.current().pid();
    int ownGroup = ProcessControl.groupOf(self);
    CompletableFuture<?>[] ending =
        ProcessTree.childGroups(self).stream()
            .filter(group -> group != ownGroup)
            .map(group -> terminator.terminate(group, settings.terminationPolicy()))
            .toArray(CompletableFuture[]::new);
    // Terminations never fail; past the bound the loop closes and what is left dies with the JVM's
    // process groups' last SIGKILL, already sent.
    CompletableFuture.allOf(ending)
        .completeOnTimeout(null, settings.killGrace().toMillis() + 2_000, TimeUnit.MILLISECONDS)
        .join();
    blocking.shutdownNow();
    cgroups.close();
    accounts.ifPresent(SessionAccounts::close);
    loop.close();
  }
}
