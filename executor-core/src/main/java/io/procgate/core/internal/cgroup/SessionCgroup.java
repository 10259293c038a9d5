package io.procgate.core.internal.cgroup;

import io.procgate.core.internal.os.PosixSpawn;
import java.util.Set;
import java.util.function.IntSupplier;

/**
 * One owner's cgroup, in every hierarchy the server uses: every process the owner starts is in it
 * from its first instruction, and so is everything those processes start, whatever group or session
 * they make for themselves. Thread-safe.
 */
public interface SessionCgroup {
  /**
   * What the cgroup's processes use now.
   *
   * @param tasks processes and their threads, as the pids controller counts them
   */
  record Usage(long memoryBytes, int processes, long tasks) {}

  /**
   * The spawn description to use, for a mechanism that needs the child's help to enter (a
   * trampoline that moves itself, then executes the command).
   */
  PosixSpawn.Spec prepare(PosixSpawn.Spec spec);

  /** Runs {@code spawn}, which starts one child, so that the child is born inside. */
  int spawn(IntSupplier spawn);

  Usage usage();

  /** The processes in it now, this JVM excepted. */
  Set<Integer> processes();

  /** Stops it from forking any more, for a termination that must catch every process. */
  void closeToForks();

  /**
   * Ends every process in it at once, where the kernel can ({@code cgroup.kill}).
   *
   * @return false when it cannot, and they must be signalled one by one
   */
  boolean killAll();

  /** Removes the cgroup; true once it is gone. */
  boolean remove();
}
