package io.procgate.core.internal.cgroup;

import io.procgate.core.internal.os.PosixSpawn;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.IntSupplier;

/**
 * A session's cgroup on cgroup v2: one directory in the unified hierarchy. Only a whole process can
 * move there, so a child enters by itself before it runs the command: it is started as a
 * trampoline, {@code /bin/sh}, that writes its own pid into the cgroup and then executes the
 * command, which so runs inside from its first instruction (at the price of one more {@code exec}).
 */
final class V2SessionCgroup implements SessionCgroup {
  private static final String SHELL = "/bin/sh";
  // $0 is the cgroup, "$@" the command: nothing of the request passes through the shell's parser.
  private static final String TRAMPOLINE = "echo 0 > \"$0/cgroup.procs\" && exec \"$@\"";

  private final Path dir;
  private final int self = (int) ProcessHandle.current().pid();
  private final Consumer<SessionCgroup> onRemoved;

  V2SessionCgroup(Path dir, Consumer<SessionCgroup> onRemoved) throws IOException {
    this.dir = Files.createDirectory(dir);
    this.onRemoved = onRemoved;
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
