package io.procgate.core.internal.cgroup;

import com.sun.jna.Memory;
import io.procgate.core.internal.os.Errno;
import io.procgate.core.internal.os.FileDescriptors;
import io.procgate.core.internal.os.OsException;
import io.procgate.core.internal.os.PosixSpawn;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.IntSupplier;

/**
 * A session's cgroup on cgroup v1: a directory in each of the pids, memory and cpu hierarchies. A
 * child is born inside because the thread that spawns it is moved in for the spawn and back out
 * after: on v1 a single thread can be moved, and {@code vfork}'s child takes its thread's cgroups.
 * The move is one write per hierarchy each way, to descriptors kept open: about 7 µs each.
 *
 * <p>The thread writes {@code 0}, which names the writer itself, rather than its id: for that one
 * case recent kernels (6.18 here) leave out the global write lock on thread groups' cgroups, which
 * holds back every fork and exit on the machine meanwhile, other sessions' spawns included, and at
 * times waits out an RCU grace period. Older kernels take the lock either way.
 */
final class V1SessionCgroup implements SessionCgroup {
  private static final Memory WRITER = new Memory(1);

  static {
    WRITER.setByte(0, (byte) '0');
  }

  private final Path pids;
  private final Path memory;
  private final Path cpu;
  private final List<Path> dirs;
  // Descriptors of the session's tasks files, and of the server's own, in the same order.
  private final int[] enter;
  private final int[] leave;
  private final int self = (int) ProcessHandle.current().pid();
  private final Consumer<SessionCgroup> onRemoved;

  /**
   * @param memory null without a memory hierarchy
   * @param cpu null without a cpu hierarchy
   * @param leave descriptors of the tasks files of this JVM's own cgroups, in the same order
   */
  V1SessionCgroup(Path pids, Path memory, Path cpu, int[] leave, Consumer<SessionCgroup> onRemoved)
      throws IOException {
    this.onRemoved = onRemoved;
    this.pids = pids;
    this.memory = memory;
    this.cpu = cpu;
    this.leave = leave;
    this.dirs = new ArrayList<>();
    for (Path dir : new Path[] {pids, memory, cpu}) {
      if (dir != null) {
        dirs.add(dir);
      }
    }
    this.enter = new int[dirs.size()];
    Arrays.fill(enter, -1);
    try {
      for (int i = 0; i < dirs.size(); i++) {
        Files.createDirectory(dirs.get(i));
        enter[i] = FileDescriptors.openForWriting(dirs.get(i).resolve("tasks").toString());
      }
    } catch (IOException | OsException e) {
      remove();
      throw e instanceof IOException io ? io : new IOException(e.getMessage(), e);
    }
  }

  void limit(long memoryLimit, int tasksLimit, int cpuWeight) throws IOException {
    if (tasksLimit > 0) {
      Files.writeString(pids.resolve("pids.max"), Integer.toString(tasksLimit));
    }
    if (memory != null && memoryLimit > 0) {
      Files.writeString(memory.resolve("memory.limit_in_bytes"), Long.toString(memoryLimit));
      Path swap = memory.resolve("memory.memsw.limit_in_bytes");
      if (Files.exists(swap)) {
        // Memory plus swap at the same bound: the limit is not escaped into swap.
        Files.writeString(swap, Long.toString(memoryLimit));
      }
    }
    if (cpu != null) {
      // v1's shares are 1024 for a weight of 100, v2's default.
      Files.writeString(
          cpu.resolve("cpu.shares"), Integer.toString(Math.max(2, cpuWeight * 1024 / 100)));
    }
  }

  @Override
  public PosixSpawn.Spec prepare(PosixSpawn.Spec spec) {
    return spec;
  }

  @Override
  public int spawn(IntSupplier spawn) {
    move(enter);
    try {
      return spawn.getAsInt();
    } finally {
      move(leave);
    }
  }

  private void move(int[] tasks) {
    for (int fd : tasks) {
      if (FileDescriptors.write(fd, WRITER, 1) != 1) {
        throw new OsException("write(" + this + "/tasks)", Errno.EAGAIN);
      }
    }
  }

  @Override
  public Usage usage() {
    return new Usage(
        memory == null ? 0 : Cgroups.readLong(memory.resolve("memory.usage_in_bytes")),
        Cgroups.readPids(pids.resolve("cgroup.procs")).size(),
        Cgroups.readLong(pids.resolve("pids.current")));
  }

  @Override
  public Set<Integer> processes() {
    Set<Integer> all = new HashSet<>();
    for (Path dir : dirs) {
      all.addAll(Cgroups.readPids(dir.resolve("cgroup.procs")));
    }
    all.remove(self);
    return all;
  }

  @Override
  public void closeToForks() {
    try {
      Files.writeString(pids.resolve("pids.max"), "0");
    } catch (IOException gone) {
      // Removed already.
    }
  }

  @Override
  public boolean killAll() {
    return false;
  }

  @Override
  public boolean remove() {
    close();
    boolean gone = true;
    for (Path dir : dirs) {
      gone &= Cgroups.removeDir(dir);
    }
    if (gone) {
      onRemoved.accept(this);
    }
    return gone;
  }

  private void close() {
    for (int i = 0; i < enter.length; i++) {
      FileDescriptors.close(enter[i]);
      enter[i] = -1;
    }
  }

  @Override
  public String toString() {
    return pids.toString();
  }
}
