package io.procgate.server.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * How many sessions fit this machine when the configuration does not say: each idle session's
 * browser takes about 250 to 385 MiB (PSS of its whole tree, measured), so 512 MiB leaves it room
 * to load a page; the server keeps 1 GiB for itself.
 */
public final class SessionCapacity {
  public static final int PER_SESSION_MIB = 512;
  static final int SERVER_MIB = 1024;
  static final int MAX = 64;
  // Kernels write "no limit" as a page-rounded Long.MAX_VALUE in v1; nothing real comes close.
  private static final long UNLIMITED = 1L << 62;

  private SessionCapacity() {}

  /** The default limit for {@code memoryMib} of memory. */
  static int forMemory(long memoryMib) {
    return (int) Math.max(1, Math.min(MAX, (memoryMib - SERVER_MIB) / PER_SESSION_MIB));
  }

  /**
   * The memory this server may use: the machine's, or the lowest limit of the cgroups it is in (its
   * own and their parents', such as a systemd unit's {@code MemoryMax} or a container's), if lower.
   */
  static long availableMib() {
    long machine = meminfoTotalKib() / 1024;
    long limit = cgroupLimitBytes(Path.of("/proc/self/cgroup"), Path.of("/sys/fs/cgroup"));
    return limit > 0 ? Math.min(machine, limit / (1024 * 1024)) : machine;
  }

  /** The configured limit, else the one for the memory this server may use. */
  public static int of(ProcgateConfig config) {
    return config.sessions().max().orElseGet(() -> forMemory(availableMib()));
  }

  private static long meminfoTotalKib() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemTotal:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | NumberFormatException e) {
      // Unreadable: fall through to the smallest answer.
    }
    return 0;
  }

  /**
   * The lowest memory limit on the way from the cgroups {@code membership} names (the format of
   * {@code /proc/self/cgroup}) up to the root, in either hierarchy; 0 when there is none.
   */
  static long cgroupLimitBytes(Path membership, Path root) {
    List<String> lines;
    try {
      lines = Files.readAllLines(membership);
    } catch (IOException e) {
      return 0;
    }
    long lowest = 0;
    for (String line : lines) {
      String[] fields = line.split(":", 3);
      if (fields.length < 3) {
        continue;
      }
      Path hierarchy;
      String file;
      if (fields[0].equals("0") && fields[1].isEmpty()) {
        hierarchy = root;
        file = "memory.max";
      } else if (List.of(fields[1].split(",")).contains("memory")) {
        hierarchy = root.resolve("memory");
        file = "memory.limit_in_bytes";
      } else {
        continue;
      }
      for (Path dir = hierarchy.resolve(fields[2].substring(1)).normalize();
          dir.startsWith(hierarchy);
          dir = dir.getParent()) {
        long limit = limitIn(dir.resolve(file));
        if (limit > 0 && (lowest == 0 || limit < lowest)) {
          lowest = limit;
        }
      }
    }
    return lowest;
  }

  private static long limitIn(Path file) {
    try {
      String value = Files.readString(file).strip();
      long limit = value.equals("max") ? 0 : Long.parseLong(value);
      return limit >= UNLIMITED ? 0 : limit;
    } catch (IOException | NumberFormatException e) {
      return 0;
    }
  }
}
