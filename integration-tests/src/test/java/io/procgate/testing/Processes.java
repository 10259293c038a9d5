package io.procgate.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** What /proc says about processes on this machine. */
public final class Processes {
  private Processes() {}

  /** A process as its {@code /proc/<pid>/stat} line gives it. */
  public record Stat(long pid, char state, long ppid, long pgrp) {}

  public static Stat stat(long pid) {
    try {
      String line = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] fields = line.substring(line.lastIndexOf(')') + 2).split(" ");
      return new Stat(
          pid, fields[0].charAt(0), Long.parseLong(fields[1]), Long.parseLong(fields[2]));
    } catch (IOException | RuntimeException gone) {
      return null;
    }
  }

  /** Whether {@code pid} is a live process: it exists and is not a zombie. */
  public static boolean alive(long pid) {
    Stat stat = stat(pid);
    return stat != null && stat.state() != 'Z' && stat.state() != 'X';
  }

  /** Every process, zombies included, whose process group is {@code pgid}. */
  public static List<Stat> inGroup(long pgid) {
    List<Stat> members = new ArrayList<>();
    for (Stat stat : all()) {
      if (stat.pgrp() == pgid) {
        members.add(stat);
      }
    }
    return members;
  }

  public static List<Stat> all() {
    List<Stat> stats = new ArrayList<>();
    try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
      entries
          .map(entry -> entry.getFileName().toString())
          .filter(name -> name.chars().allMatch(Character::isDigit))
          .map(name -> stat(Long.parseLong(name)))
          .filter(stat -> stat != null)
          .forEach(stats::add);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return stats;
  }

  /** The resident memory of process {@code pid} in bytes; 0 once it is gone. */
  public static long rss(long pid) {
    return status(pid, "VmRSS:");
  }

  /** The most memory the process has had resident, in bytes: its high-water mark. */
  public static long peakRss(long pid) {
    return status(pid, "VmHWM:");
  }

  /** The number of threads of process {@code pid}; 0 once it is gone. */
  public static long threads(long pid) {
    return status(pid, "Threads:") / 1024;
  }

  private static long status(long pid, String field) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith(field)) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException gone) {
      return 0;
    }
    return 0;
  }
}
