package io.procgate.core.internal.launch;

import io.procgate.core.Account;
import io.procgate.core.ExecutorSettings;
import io.procgate.core.LaunchRequest;
import io.procgate.core.ProcessException;
import io.procgate.core.ProcessException.Kind;
import io.procgate.core.internal.cgroup.SessionCgroup;
import io.procgate.core.internal.lifecycle.ChildReaper;
import io.procgate.core.internal.os.Errno;
import io.procgate.core.internal.os.FileDescriptors;
import io.procgate.core.internal.os.FileDescriptors.Pipe;
import io.procgate.core.internal.os.FileStatus;
import io.procgate.core.internal.os.NetworkNamespace;
import io.procgate.core.internal.os.OsException;
import io.procgate.core.internal.os.PosixSpawn;
import io.procgate.core.internal.os.ProcessControl;
import io.procgate.core.internal.os.Pty;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.IntSupplier;
import java.util.stream.Collectors;

/**
 * Validates launch requests into {@link LaunchPlan}s and starts them. Thread-safe: {@link #spawn}
 * blocks its caller for the length of one {@code posix_spawn}, about a millisecond.
 */
public final class Launcher {
  private static final String SHELL = "/bin/sh";
  private static final byte[] ELF_MAGIC = {0x7f, 'E', 'L', 'F'};
  // Linux reads this much of a file to find its #! line (BINPRM_BUF_SIZE).
  private static final int SCRIPT_HEAD_BYTES = 256;
  private static final int CHILD_OOM_SCORE = 1000;

  private final ExecutorSettings settings;
  private final UserResolver users;
  private final ChildReaper reaper;

  public Launcher(ExecutorSettings settings, ChildReaper reaper) {
    this.settings = settings;
    this.users = new UserResolver(settings.defaultUser());
    this.reaper = reaper;
  }

  /** The account the server itself runs as. */
  public Account serverAccount() {
    return users.server();
  }

  /** The account a request that names none runs as. */
  public Account defaultAccount() {
    return users.defaultUser();
  }

  /**
   * Checks every rule of a request and decides what to start; {@code owners} is the account it runs
   * as when it names none.
   *
   * @throws ProcessException when the request breaks a rule; nothing has started then
   */
  public LaunchPlan plan(LaunchRequest request, Account owners) {
    String command = request.command();
    if (command.isEmpty()) {
      throw new ProcessException(Kind.INVALID_REQUEST, "command is empty");
    }
    requireNoNul("command", command);
    request.args().forEach(arg -> requireNoNul("an argument", arg));

    Duration timeout = timeout(request.timeoutSeconds());
    Account user = users.resolve(request.asUser(), request.asRoot(), owners);
    Path cwd = workingDirectory(request, user);
    Map<String, String> env =
        ChildEnvironment.build(
            settings, user, request.terminal().isPresent(), request.ownerEnv(), request.env());

    List<String> argv = new ArrayList<>();
    if (request.args().isEmpty() && ShellSyntax.needsShell(command)) {
      argv.addAll(List.of(SHELL, "-c", command));
    } else {
      argv.add(command);
      argv.addAll(request.args());
    }
    Path executable = CommandResolver.resolve(argv.get(0), env.getOrDefault("PATH", ""), cwd, user);
    boolean switchUser = users.needsSwitch(user);
    if (switchUser) {
      // Behind setpriv an exec failure would only be an exit code; catch the common one here.
      requireExecutableFormat(argv.get(0), executable);
    }
    return new LaunchPlan(
        executable,
        argv,
        ChildEnvironment.toEntries(env),
        cwd,
        user,
        switchUser,
        timeout,
        request.terminal());
  }

  /** Where a child starts: the owner's cgroup and network namespace, each null or -1 for none. */
  public record Place(SessionCgroup cgroup, int network) {}

  /**
   * Starts a planned child: on a new terminal when the plan asks for one, otherwise with a pipe for
   * each of stdout and stderr and, if {@code stdinPipe}, for stdin (else stdin is {@code
   * /dev/null}).
   *
   * @throws ProcessException when the operating system refuses; no descriptor is left open then
   */
  public SpawnedChild spawn(LaunchPlan plan, boolean stdinPipe, Place place) {
    return plan.terminal().isPresent()
        ? spawnOnTerminal(plan, place)
        : spawnWithPipes(plan, stdinPipe, place);
  }

  /**
   * Starts the child described by {@code spec} in its place, registered with the reaper, and makes
   * it the OOM killer's first choice. What it forks in the microseconds before that inherits the
   * server's score, which makes it the killer's last choice.
   */
  private ChildReaper.Child start(PosixSpawn.Spec spec, Place place) {
    SessionCgroup cgroup = place.cgroup();
    IntSupplier spawn =
        cgroup == null
            ? () -> PosixSpawn.spawn(spec)
            : () -> cgroup.spawn(() -> PosixSpawn.spawn(cgroup.prepare(spec)));
    // The spawning thread enters the namespace for the spawn alone: no exec more than without.
    ChildReaper.Child child =
        reaper.spawn(
            place.network() < 0 ? spawn : () -> NetworkNamespace.within(place.network(), spawn));
    ProcessControl.setOomScoreAdjustment(child.pid(), CHILD_OOM_SCORE);
    return child;
  }

  private SpawnedChild spawnWithPipes(LaunchPlan plan, boolean stdinPipe, Place place) {
    List<Integer> opened = new ArrayList<>();
    try {
      Pipe stdout = track(FileDescriptors.pipe(), opened);
      Pipe stderr = track(FileDescriptors.pipe(), opened);
      Pipe stdin = stdinPipe ? track(FileDescriptors.pipe(), opened) : null;
      FileDescriptors.setNonBlocking(stdout.readEnd());
      FileDescriptors.setNonBlocking(stderr.readEnd());
      if (stdin != null) {
        FileDescriptors.setNonBlocking(stdin.writeEnd());
      }
      long startNanos = System.nanoTime();
      Instant startedAt = Instant.now();
      PosixSpawn.Spec spec =
          spec(
              plan,
              new PosixSpawn.Pipes(
                  stdin == null ? -1 : stdin.readEnd(), stdout.writeEnd(), stderr.writeEnd()));
      ChildReaper.Child child = start(spec, place);
      FileDescriptors.close(stdout.writeEnd());
      FileDescriptors.close(stderr.writeEnd());
      if (stdin != null) {
        FileDescriptors.close(stdin.readEnd());
      }
      return new SpawnedChild(
          child,
          startNanos,
          startedAt,
          stdin == null ? -1 : stdin.writeEnd(),
          stdout.readEnd(),
          stderr.readEnd(),
          -1);
    } catch (OsException e) {
      opened.forEach(FileDescriptors::close);
      throw translate(e, plan);
    }
  }

  private SpawnedChild spawnOnTerminal(LaunchPlan plan, Place place) {
    Pty.Pair pty;
    try {
      pty = Pty.open(plan.terminal().get().rows(), plan.terminal().get().cols());
    } catch (OsException e) {
      throw translate(e, plan);
    }
    try {
      FileDescriptors.setNonBlocking(pty.master());
      long startNanos = System.nanoTime();
      Instant startedAt = Instant.now();
      PosixSpawn.Spec spec = spec(plan, new PosixSpawn.Terminal(pty.slavePath()));
      ChildReaper.Child child = start(spec, place);
      return new SpawnedChild(child, startNanos, startedAt, -1, -1, -1, pty.master());
    } catch (OsException e) {
      FileDescriptors.close(pty.master());
      throw translate(e, plan);
    }
  }

  private static Pipe track(Pipe pipe, List<Integer> opened) {
    opened.add(pipe.readEnd());
    opened.add(pipe.writeEnd());
    return pipe;
  }

  private PosixSpawn.Spec spec(LaunchPlan plan, PosixSpawn.Stdio stdio) {
    String cwd = plan.cwd().toString();
    if (!plan.switchUser()) {
      return new PosixSpawn.Spec(
          plan.executable().toString(), plan.argv(), plan.envp(), cwd, stdio);
    }
    Account user = plan.user();
    String setpriv = settings.setpriv().toString();
    List<String> argv = new ArrayList<>();
    argv.add(setpriv);
    argv.add("--reuid=" + Integer.toUnsignedString(user.uid()));
    argv.add("--regid=" + Integer.toUnsignedString(user.gid()));
    argv.add(
        user.groups().isEmpty()
            ? "--clear-groups"
            : "--groups="
                + user.groups().stream()
                    .map(Integer::toUnsignedString)
                    .collect(Collectors.joining(",")));
    argv.add("--");
    argv.add(plan.executable().toString());
    argv.addAll(plan.argv().subList(1, plan.argv().size()));
    return new PosixSpawn.Spec(setpriv, argv, plan.envp(), cwd, stdio);
  }

  private Duration timeout(OptionalInt requested) {
    if (requested.isEmpty() || requested.getAsInt() == 0) {
      return settings.defaultTimeout();
    }
    int seconds = requested.getAsInt();
    if (seconds < 0) {
      throw new ProcessException(
          Kind.INVALID_TIMEOUT, "timeout_sec must not be negative, got " + seconds);
    }
    Duration timeout = Duration.ofSeconds(seconds);
    if (timeout.compareTo(settings.maxTimeout()) > 0) {
      throw new ProcessException(
          Kind.INVALID_TIMEOUT,
          "timeout_sec "
              + seconds
              + " is above this server's maximum of "
              + settings.maxTimeout().toSeconds());
    }
    return timeout;
  }

  private static Path workingDirectory(LaunchRequest request, Account user) {
    if (request.cwd().isEmpty()) {
      return request.defaultCwd();
    }
    String requested = request.cwd().get();
    if (!requested.startsWith("/")) {
      throw new ProcessException(
          Kind.INVALID_CWD, "cwd must be an absolute path, got '" + shorten(requested) + "'");
    }
    Path cwd;
    try {
      cwd = Path.of(requested).normalize();
    } catch (InvalidPathException e) {
      throw new ProcessException(Kind.INVALID_CWD, "cwd is not a valid path: " + e.getReason());
    }
    FileStatus attributes = FileAccess.read(cwd);
    if (attributes == null) {
      throw new ProcessException(Kind.INVALID_CWD, "cwd " + cwd + " does not exist");
    }
    if (!attributes.directory()) {
      throw new ProcessException(Kind.INVALID_CWD, "cwd " + cwd + " is not a directory");
    }
    if (!FileAccess.mayEnter(cwd, user)) {
      throw new ProcessException(
          Kind.INVALID_CWD, "cwd " + cwd + " is not accessible to user " + user.name());
    }
    return cwd;
  }

  private static void requireExecutableFormat(String command, Path executable) {
    byte[] head = head(executable);
    if (head == null) {
      return;
    }
    Optional<String> interpreter = interpreter(head);
    if (interpreter.isEmpty()
        && !(head.length >= ELF_MAGIC.length
            && Arrays.equals(head, 0, ELF_MAGIC.length, ELF_MAGIC, 0, ELF_MAGIC.length))) {
      throw new ProcessException(
          Kind.NOT_EXECUTABLE,
          "cannot execute '" + command + "': " + OsException.describe(Errno.ENOEXEC));
    }
    if (interpreter.isPresent() && !Files.exists(Path.of(interpreter.get()))) {
      throw missingInterpreter(command, interpreter.get(), null);
    }
  }

  /** The first bytes of the file, as many as the kernel reads for a {@code #!} line. */
  private static byte[] head(Path executable) {
    try (InputStream in = Files.newInputStream(executable)) {
      return in.readNBytes(SCRIPT_HEAD_BYTES);
    } catch (IOException e) {
      return null;
    }
  }

  /** The interpreter a script's {@code #!} line names, which {@code execve} runs it with. */
  static Optional<String> interpreter(byte[] head) {
    if (head.length < 2 || head[0] != '#' || head[1] != '!') {
      return Optional.empty();
    }
    int start = 2;
    while (start < head.length && (head[start] == ' ' || head[start] == '\t')) {
      start++;
    }
    int end = start;
    while (end < head.length && " \t\n\0".indexOf(head[end]) < 0) {
      end++;
    }
    return end > start
        ? Optional.of(new String(head, start, end - start, StandardCharsets.ISO_8859_1))
        : Optional.empty();
  }

  private static ProcessException missingInterpreter(
      String command, String interpreter, OsException cause) {
    return new ProcessException(
        Kind.NOT_EXECUTABLE,
        "cannot execute '" + command + "': its interpreter '" + interpreter + "' does not exist",
        cause);
  }

  private static ProcessException translate(OsException e, LaunchPlan plan) {
    String command = shorten(plan.argv().get(0));
    if (e.errno() == Errno.ENOENT && !plan.switchUser() && Files.exists(plan.executable())) {
      // The command was found a moment ago and is still there: what execve did not find is the
      // interpreter of a script, or the loader of a program. (Behind setpriv, the file executed
      // is setpriv, and the command's own failure is its exit code.)
      byte[] head = head(plan.executable());
      Optional<String> interpreter = head == null ? Optional.empty() : interpreter(head);
      if (interpreter.isPresent() && !Files.exists(Path.of(interpreter.get()))) {
        return missingInterpreter(command, interpreter.get(), e);
      }
      return new ProcessException(
          Kind.NOT_EXECUTABLE,
          "cannot execute '"
              + command
              + "': "
              + OsException.describe(e.errno())
              + " (what it needs to run, its interpreter or its loader, is missing)",
          e);
    }
    String what = "cannot execute '" + command + "': " + OsException.describe(e.errno());
    Kind kind =
        switch (e.errno()) {
          case Errno.ENOENT -> Kind.COMMAND_NOT_FOUND;
          case Errno.EACCES, Errno.ENOEXEC, Errno.ENOTDIR, Errno.ETXTBSY -> Kind.NOT_EXECUTABLE;
          case Errno.E2BIG, Errno.ENAMETOOLONG, Errno.ELOOP -> Kind.INVALID_REQUEST;
          case Errno.EAGAIN, Errno.ENOMEM, Errno.ENFILE, Errno.EMFILE -> Kind.RESOURCE_EXHAUSTED;
          default -> Kind.SYSTEM_FAILURE;
        };
    return new ProcessException(kind, kind == Kind.SYSTEM_FAILURE ? e.getMessage() : what, e);
  }

  private static void requireNoNul(String what, String value) {
    if (value.indexOf('\0') >= 0) {
      throw new ProcessException(Kind.INVALID_REQUEST, what + " contains a NUL byte");
    }
  }

  private static String shorten(String value) {
    String shown = value.replace("\0", "\\0");
    return shown.length() > 128 ? shown.substring(0, 128) + "..." : shown;
  }
}
