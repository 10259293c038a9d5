package io.procgate.server.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How many sessions fit this machine when the configuration does not say: each idle session's
 * browser takes about 250 to 385 MiB (PSS of its whole tree, measured), so 512 MiB leaves it room
 * to load a page; the server keeps 1 GiB for itself.
 */
public final class SessionCapacity {
  public static final int PER_SESSION_MIB = 512;
  static final int SERVER_MIB = 1024;
  static final int MAX = 64;

  private SessionCapacity() {}

  /** The default limit for {@code memoryMib} of memory. */
  static int forMemory(long memoryMib) {
    return (int) Math.max(1, Math.min(MAX, (memoryMib - SERVER_MIB) / PER_SESSION_MIB));
  }

  /** The memory this server may use: the machine's, or its cgroup's limit if lower. */
  static long availableMib() {
    long machine = meminfoTotalKib() / 1024;
    long limit = cgroupLimitBytes() / (1024 * 1024);
    return limit > 0 ? Math.min(machine, limit) : machine;
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

  private static long cgroupLimitBytes() {
    for (String file :
        new String[] {"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"}) {
      try {
        String value = Files.readString(Path.of(file)).strip();
        if (!value.equals("max")) {
          return Long.parseLong(value);
        }
      } catch (IOException | NumberFormatException e) {
        // Not this hierarchy.
      }
    }
    return 0;
  }
}
