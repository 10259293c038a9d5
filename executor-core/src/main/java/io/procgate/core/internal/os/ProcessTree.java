package io.procgate.core.internal.os;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What {@code /proc} shows of processes now: CPU time and resident memory of a process and
 * everything it started (the processes of its session, since procgate's processes lead their own,
 * and its descendants), groups, environments and uids.
 */
public final class ProcessTree {
  private static final Path PROC = Path.of("/proc");
  private static final long TICKS_PER_SECOND = LibC.sysconf(2);
  private static final long PAGE_SIZE = LibC.sysconf(30);

  private ProcessTree() {}

  /**
   * One reading.
   *
   * @param cpuNanos CPU time used by the tree's processes and the children they reaped
   * @param rssBytes resident memory of the tree's processes
   * @param takenNanos {@link System#nanoTime()} when read
   */
  public record Usage(long cpuNanos, long rssBytes, long takenNanos) {}

  private record Stat(
      int pid, char state, int ppid, int group, int session, long ticks, long rssPages) {}

  public static Usage of(int leader) {
    List<Stat> all = readAll();
    Map<Integer, List<Stat>> byParent = new HashMap<>();
    for (Stat stat : all) {
      byParent.computeIfAbsent(stat.ppid(), k -> new ArrayList<>()).add(stat);
    }
    Set<Integer> members = new HashSet<>();
    for (Stat stat : all) {
      if (stat.session() == leader) {
        members.add(stat.pid());
      }
    }
    ArrayDeque<Integer> descendants = new ArrayDeque<>(List.of(leader));
    while (!descendants.isEmpty()) {
      for (Stat child : byParent.getOrDefault(descendants.pop(), List.of())) {
        if (members.add(child.pid())) {
          descendants.push(child.pid());
        }
      }
    }
    long ticks = 0;
    long pages = 0;
    for (Stat stat : all) {
      if (members.contains(stat.pid())) {
        ticks += stat.ticks();
        pages += stat.rssPages();
      }
    }
    return new Usage(
        ticks * 1_000_000_000L / TICKS_PER_SECOND, pages * PAGE_SIZE, System.nanoTime());
  }

  /** The process groups of the children of {@code parent}, zombies included. */
  public static Set<Integer> childGroups(int parent) {
    Set<Integer> groups = new HashSet<>();
    for (Stat stat : readAll()) {
      if (stat.ppid() == parent) {
        groups.add(stat.group());
      }
    }
    return groups;
  }

  /**
   * The process groups of the processes whose environment holds {@code entry} (such as {@code
   * HOME=/some/dir}) exactly: how the helpers of a program that left its group are found. Only
   * processes this one may read the environment of are seen.
   */
  public static Set<Integer> groupsWithEnvironment(String entry) {
    byte[] wanted = (entry + "\0").getBytes(StandardCharsets.UTF_8);
    Set<Integer> groups = new HashSet<>();
    for (Stat stat : readAll()) {
      try {
        byte[] environ =
            Files.readAllBytes(PROC.resolve(Integer.toString(stat.pid())).resolve("environ"));
        if (startsEntry(environ, wanted)) {
          groups.add(stat.group());
        }
      } catch (IOException | SecurityException unreadable) {
        // Gone, or not ours to read.
      }
    }
    return groups;
  }

  private static boolean startsEntry(byte[] environ, byte[] entry) {
    for (int start = 0; start + entry.length <= environ.length; ) {
      if (java.util.Arrays.equals(environ, start, start + entry.length, entry, 0, entry.length)) {
        return true;
      }
      int next = start;
      while (next < environ.length && environ[next] != 0) {
        next++;
      }
      start = next + 1;
    }
    return false;
  }

  /** The children of {@code parent} that have exited and wait to be reaped. */
  public static List<Integer> zombieChildren(int parent) {
    List<Integer> zombies = new ArrayList<>();
    for (Stat stat : readAll()) {
      if (stat.ppid() == parent && stat.state() == 'Z') {
        zombies.add(stat.pid());
      }
    }
    return zombies;
  }

  /**
   * Every live process by the uids it has, real, effective, saved and file system ones, as its
   * {@code status} in {@code /proc} shows them now. Zombies are left out: they run nothing, and
   * whoever reaps them removes them.
   */
  public static Map<Integer, Set<Integer>> uidsByProcess() {
    Map<Integer, Set<Integer>> uids = new HashMap<>();
    for (int pid : pids()) {
      try {
        for (String line :
            Files.readAllLines(
                PROC.resolve(Integer.toString(pid)).resolve("status"), StandardCharsets.US_ASCII)) {
          if (line.startsWith("State:") && line.contains("Z")) {
            break;
          }
          if (line.startsWith("Uid:")) {
            Set<Integer> ids = new HashSet<>();
            for (String id : line.substring(4).strip().split("\\s+")) {
              ids.add(Integer.parseUnsignedInt(id));
            }
            uids.put(pid, ids);
            break;
          }
        }
      } catch (IOException gone) {
        // Exited while listed.
      }
    }
    return uids;
  }

  private static List<Integer> pids() {
    List<Integer> pids = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(PROC)) {
      for (Path entry : entries) {
        String name = entry.getFileName().toString();
        if (!name.isEmpty() && name.chars().allMatch(Character::isDigit)) {
          pids.add(Integer.parseInt(name));
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot list /proc", e);
    }
    return pids;
  }

  private static List<Stat> readAll() {
    List<Stat> stats = new ArrayList<>();
    for (int pid : pids()) {
      Stat stat = read(PROC.resolve(Integer.toString(pid)).resolve("stat"));
      if (stat != null) {
        stats.add(stat);
      }
    }
    return stats;
  }

  /** Parses {@code /proc/<pid>/stat}; null when the process is gone. */
  private static Stat read(Path file) {
    String line;
    try {
      line = new String(Files.readAllBytes(file), StandardCharsets.US_ASCII);
    } catch (IOException gone) {
      return null;
    }
    int open = line.indexOf(' ');
    int close = line.lastIndexOf(')');
    if (open < 0 || close < 0) {
      return null;
    }
    // The fields after "(comm)", numbered as in proc(5) from field 3, the state.
    String[] f = line.substring(close + 2).split(" ");
    return new Stat(
        Integer.parseInt(line.substring(0, open)),
        f[0].charAt(0),
        Integer.parseInt(f[1]),
        Integer.parseInt(f[2]),
        Integer.parseInt(f[3]),
        Long.parseLong(f[11])
            + Long.parseLong(f[12])
            + Long.parseLong(f[13])
            + Long.parseLong(f[14]),
        Long.parseLong(f[21]));
  }
}
