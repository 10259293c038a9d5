package io.procgate.core;

/**
 * How each owner's processes are contained: a cgroup per owner, with limits.
 *
 * @param mechanism which cgroups to use
 * @param required whether the executor refuses to start when no cgroup can be made
 * @param memoryLimit bytes of memory an owner's processes may use together; 0 for no limit
 * @param tasksLimit processes and threads an owner may have at once; 0 for no limit
 * @param cpuWeight an owner's share of the CPU against the others', 1 to 10000 (v2's scale, 100 by
 *     default)
 */
public record ContainmentSettings(
    Mechanism mechanism, boolean required, long memoryLimit, int tasksLimit, int cpuWeight) {

  /** Which cgroups to use. */
  public enum Mechanism {
    /** cgroup v2 where it has the pids and memory controllers, else v1, else v2 without limits. */
    AUTO,
    V1,
    V2,
    /** None: owners' processes are held by their process groups only. */
    NONE
  }

  public ContainmentSettings {
    if (memoryLimit < 0 || tasksLimit < 0 || cpuWeight < 1 || cpuWeight > 10000) {
      throw new IllegalArgumentException("containment limits out of range");
    }
  }

  /** 4 GiB and 4096 tasks per owner, equal CPU shares. */
  public static ContainmentSettings defaults() {
    return new ContainmentSettings(Mechanism.AUTO, false, 4L << 30, 4096, 100);
  }
}
