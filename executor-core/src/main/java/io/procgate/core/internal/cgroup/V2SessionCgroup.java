package io.procgate.core.internal.cgroup;

import io.procgate.core.internal.os.Errno;
import io.procgate.core.internal.os.FileDescriptors;
import io.procgate.core.internal.os.OsException;
import io.procgate.core.internal.os.PosixSpawn;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.IntSupplier;

/**
 * A session's cgroup on cgroup v2: one directory in the unified hierarchy. Where libc and kernel
 * allow it, a child is born inside ({@code clone3} with {@code CLONE_INTO_CGROUP}, through {@code
 * posix_spawn}). Elsewhere, since only a whole process can move there, a child enters by itself
 * before it runs the command: it is started as a trampoline, {@code /bin/sh}, that writes its own
 * pid into the cgroup and then executes the command, which so runs inside from its first
 * instruction, at the price of one more {@code exec} (0.6 to 1.1 ms an exec on our machines).
 */
final class V2SessionCgroup implements SessionCgroup {
  private static final String SHELL = "/bin/sh";
  // $0 is the cgroup, "$@" the command: nothing of the request passes through the shell's parser.
  private static final String TRAMPOLINE = "echo 0 > \"$0/cgroup.procs\" && exec \"$@\"";

  private final Path dir;
  // Open while the cgroup is there, when its children are born inside; null for the trampoline.
  private final AtomicReference<PosixSpawn.Cgroup> bornIn = new AtomicReference<>();
  private final int self = (int) ProcessHandle.current().pid();
  private final Consumer<SessionCgroup> onRemoved;

  /**
   * @param bornInside whether children can be born inside, as {@link #canBeBornInside} says
   */
  V2SessionCgroup(Path dir, boolean bornInside, Consumer<SessionCgroup> onRemoved)
      throws IOException {
    this.dir = Files.createDirectory(dir);
    this.onRemoved = onRemoved;
    if (bornInside) {
      try {
        bornIn.set(PosixSpawn.Cgroup.open(dir.toString()));
      } catch (OsException e) {
        Cgroups.removeDir(dir);
        throw new IOException(e.getMessage(), e);
      }
    }
  }

  /**
   * Whether a child can be born in a cgroup below {@code parent}: a spawn into a new cgroup there
   * of a file that cannot exist, which fails at its {@code execve} if, and only if, the child was
   * born; the cgroup is removed again.
   *
   * @return empty if it can, or why not
   */
  static Optional<String> canBeBornInside(Path parent) {
    if (!PosixSpawn.canBeBornInCgroup()) {
      return Optional.of("libc has no posix_spawnattr_setcgroup_np (glibc 2.39 and newer)");
    }
    Path probe = parent.resolve("probe");
    int sink = -1;
    try {
      if (!Files.isDirectory(probe)) {
        Files.createDirectory(probe);
      }
      sink = FileDescriptors.openForWriting("/dev/null");
      String absent = probe.resolve("absent").toString();
      try (PosixSpawn.Cgroup cgroup = PosixSpawn.Cgroup.open(probe.toString())) {
        PosixSpawn.spawn(
            new PosixSpawn.Spec(
                    absent, List.of(absent), List.of(), "/", new PosixSpawn.Pipes(-1, sink, sink))
                .bornIn(cgroup));
      }
      return Optional.of("a spawn of a file that is not there succeeded");
    } catch (OsException e) {
      return e.errno() == Errno.ENOENT ? Optional.empty() : Optional.of(e.getMessage());
    } catch (IOException e) {
      return Optional.of(e.toString());
    } finally {
      FileDescriptors.close(sink);
      Cgroups.removeDir(probe);
    }
  }

  void limit(long memoryLimit, int tasksLimit, int cpuWeight) throws IOException {
    if (tasksLimit > 0 && Files.exists(dir.resolve("pids.max"))) {
      Files.writeString(dir.resolve("pids.max"), Integer.toString(tasksLimit));
    }
    if (memoryLimit > 0 && Files.exists(dir.resolve("memory.max"))) {
      Files.writeString(dir.resolve("memory.max"), Long.toString(memoryLimit));
      if (Files.exists(dir.resolve("memory.swap.max"))) {
        Files.writeString(dir.resolve("memory.swap.max"), "0");
      }
    }
    if (Files.exists(dir.resolve("cpu.weight"))) {
      Files.writeString(dir.resolve("cpu.weight"), Integer.toString(cpuWeight));
    }
  }

  @Override
  public PosixSpawn.Spec prepare(PosixSpawn.Spec spec) {
    PosixSpawn.Cgroup cgroup = bornIn.get();
    if (cgroup != null) {
      return spec.bornIn(cgroup);
    }
    List<String> argv = new ArrayList<>();
    argv.add(SHELL);
    argv.add("-c");
    argv.add(TRAMPOLINE);
    argv.add(dir.toString());
    argv.add(spec.executable());
    argv.addAll(spec.argv().subList(1, spec.argv().size()));
    return new PosixSpawn.Spec(SHELL, argv, spec.envp(), spec.cwd(), spec.stdio());
  }

  @Override
  public int spawn(IntSupplier spawn) {
    return spawn.getAsInt();
  }

  @Override
  public Usage usage() {
    Path pids = dir.resolve("pids.current");
    int processes = Cgroups.readPids(dir.resolve("cgroup.procs")).size();
    return new Usage(
        Files.exists(dir.resolve("memory.current"))
            ? Cgroups.readLong(dir.resolve("memory.current"))
            : 0,
        processes,
        Files.exists(pids) ? Cgroups.readLong(pids) : processes);
  }

  @Override
  public Set<Integer> processes() {
    Set<Integer> all = new HashSet<>(Cgroups.readPids(dir.resolve("cgroup.procs")));
    all.remove(self);
    return all;
  }

  @Override
  public void closeToForks() {
    try {
      if (Files.exists(dir.resolve("pids.max"))) {
        Files.writeString(dir.resolve("pids.max"), "0");
      }
    } catch (IOException gone) {
      // Removed already.
    }
  }

  @Override
  public boolean killAll() {
    Path kill = dir.resolve("cgroup.kill");
    if (!Files.exists(kill)) {
      return false;
    }
    try {
      Files.writeString(kill, "1");
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public boolean remove() {
    PosixSpawn.Cgroup cgroup = bornIn.getAndSet(null);
    if (cgroup != null) {
      cgroup.close();
    }
    boolean gone = Cgroups.removeDir(dir);
    if (gone) {
      onRemoved.accept(this);
    }
    return gone;
  }

  @Override
  public String toString() {
    return dir.toString();
  }
}
