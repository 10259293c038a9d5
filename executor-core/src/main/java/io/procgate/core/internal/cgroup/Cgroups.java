package io.procgate.core.internal.cgroup;

import io.procgate.core.ContainmentSettings;
import io.procgate.core.ContainmentSettings.Mechanism;
import io.procgate.core.internal.os.FileDescriptors;
import io.procgate.core.internal.os.ProcessControl;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The cgroups this server puts sessions in: found at start, below its own cgroup in each hierarchy
 * it uses, in a directory of its own ({@code procgate-<pid>}), so that whatever limits the host
 * puts on the server also bind everything it starts. cgroup v1 is used where its pids hierarchy is
 * writable (the memory and cpu ones too, when there), v2 where its unified hierarchy is, with the
 * controllers it has enabled. Directories left by a server that died are emptied and removed.
 */
public final class Cgroups {
  private static final System.Logger LOG = System.getLogger(Cgroups.class.getName());
  private static final String PREFIX = "procgate-";

  private final ContainmentSettings settings;
  private final String unavailable;
  private final String description;
  // v1: the server's directory in the pids, memory and cpu hierarchies (the last two may be null),
  // and the tasks files of its own cgroups there. v2: the directory in the unified hierarchy.
  private final Path[] v1;
  private final int[] v1Home;
  private final Path v2;
  private final boolean v2BornInside;
  private final Set<SessionCgroup> live = ConcurrentHashMap.newKeySet();

  private Cgroups(
      ContainmentSettings settings,
      String unavailable,
      String description,
      Path[] v1,
      int[] v1Home,
      Path v2,
      boolean v2BornInside) {
    this.settings = settings;
    this.unavailable = unavailable;
    this.description = description;
    this.v1 = v1;
    this.v1Home = v1Home;
    this.v2 = v2;
    this.v2BornInside = v2BornInside;
  }

  public static Cgroups discover(ContainmentSettings settings) {
    if (settings.mechanism() == Mechanism.NONE) {
      return none(settings, "containment is turned off (procgate.containment.mechanism=none)");
    }
    List<CgroupMounts.Hierarchy> mounts = CgroupMounts.read();
    Optional<CgroupMounts.Hierarchy> unified = CgroupMounts.v2(mounts);
    boolean v2Controls =
        unified.map(h -> h.controllers().containsAll(Set.of("pids", "memory"))).orElse(false);
    List<String> refusals = new ArrayList<>();
    if (settings.mechanism() == Mechanism.V2
        || (settings.mechanism() == Mechanism.AUTO && v2Controls)) {
      if (unified.isPresent()) {
        try {
          return v2(settings, unified.get());
        } catch (IOException | RuntimeException e) {
          refusals.add("cgroup v2 at " + unified.get().own() + ": " + e.getMessage());
        }
      } else {
        refusals.add("no cgroup v2 hierarchy is mounted");
      }
    }
    if (settings.mechanism() != Mechanism.V2) {
      Optional<CgroupMounts.Hierarchy> pids = CgroupMounts.v1(mounts, "pids");
      if (pids.isPresent()) {
        try {
          return v1(
              settings,
              pids.get(),
              CgroupMounts.v1(mounts, "memory"),
              CgroupMounts.v1(mounts, "cpu"));
        } catch (IOException | RuntimeException e) {
          refusals.add("cgroup v1 at " + pids.get().own() + ": " + e.getMessage());
        }
      } else {
        refusals.add("no cgroup v1 pids hierarchy is mounted");
      }
      if (settings.mechanism() == Mechanism.AUTO && !v2Controls && unified.isPresent()) {
        try {
          return v2(settings, unified.get());
        } catch (IOException | RuntimeException e) {
          refusals.add("cgroup v2 at " + unified.get().own() + ": " + e.getMessage());
        }
      }
    }
    return none(settings, String.join("; ", refusals));
  }

  private static Cgroups none(ContainmentSettings settings, String why) {
    return new Cgroups(settings, why, "none", null, null, null, false);
  }

  private static Cgroups v1(
      ContainmentSettings settings,
      CgroupMounts.Hierarchy pids,
      Optional<CgroupMounts.Hierarchy> memory,
      Optional<CgroupMounts.Hierarchy> cpu)
      throws IOException {
    List<CgroupMounts.Hierarchy> used = new ArrayList<>();
    used.add(pids);
    memory.ifPresent(used::add);
    cpu.ifPresent(used::add);
    Path[] dirs = new Path[3];
    int[] home = new int[used.size()];
    List<String> names = new ArrayList<>();
    for (int i = 0; i < used.size(); i++) {
      CgroupMounts.Hierarchy hierarchy = used.get(i);
      removeStale(hierarchy.own());
      Path dir = ownDir(hierarchy.own());
      home[i] = FileDescriptors.openForWriting(hierarchy.own().resolve("tasks").toString());
      int slot = hierarchy == pids ? 0 : hierarchy.controllers().contains("memory") ? 1 : 2;
      dirs[slot] = dir;
      names.add(String.join(",", hierarchy.controllers()));
    }
    return new Cgroups(
        settings, null, "cgroup v1 (" + String.join("; ", names) + ")", dirs, home, null, false);
  }

  private static Cgroups v2(ContainmentSettings settings, CgroupMounts.Hierarchy unified)
      throws IOException {
    removeStale(unified.own());
    Path dir = ownDir(unified.own());
    Set<String> controllers = unified.controllers();
    if (!controllers.isEmpty()) {
      // v2 gives children controllers only in a cgroup without processes of its own: the JVM
      // moves into a leaf beside its sessions.
      Path server = Files.createDirectory(dir.resolve("server"));
      Files.writeString(
          server.resolve("cgroup.procs"), Long.toString(ProcessHandle.current().pid()));
      String enable = "+" + String.join(" +", controllers);
      Files.writeString(unified.own().resolve("cgroup.subtree_control"), enable);
      Files.writeString(dir.resolve("cgroup.subtree_control"), enable);
    }
    Optional<String> notBorn = V2SessionCgroup.canBeBornInside(dir);
    return new Cgroups(
        settings,
        null,
        "cgroup v2 ("
            + (controllers.isEmpty() ? "no controllers: no limits" : String.join(" ", controllers))
            + "; children "
            + notBorn.map(why -> "enter through /bin/sh: " + why).orElse("are born inside")
            + ")",
        null,
        null,
        dir,
        notBorn.isEmpty());
  }

  /** The server's own directory below {@code own}, created anew. */
  private static Path ownDir(Path own) throws IOException {
    Path dir = own.resolve(PREFIX + ProcessHandle.current().pid());
    if (!Files.isDirectory(dir)) {
      Files.createDirectory(dir);
    }
    return dir;
  }

  /** Ends what servers that died left in their directories below {@code own}, and removes them. */
  private static void removeStale(Path own) throws IOException {
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(own, PREFIX + "*")) {
      for (Path entry : entries) {
        String pid = entry.getFileName().toString().substring(PREFIX.length());
        if (!pid.chars().allMatch(Character::isDigit)
            || ProcessHandle.of(Long.parseLong(pid)).isPresent()) {
          continue;
        }
        LOG.log(Level.INFO, "removing " + entry + ", left by a server that is gone");
        try (DirectoryStream<Path> sessions = Files.newDirectoryStream(entry, Files::isDirectory)) {
          for (Path session : sessions) {
            for (int pidLeft : readPids(session.resolve("cgroup.procs"))) {
              ProcessControl.signal(pidLeft, 9);
            }
            removeDir(session);
          }
        }
        removeDir(entry);
      }
    }
  }

  /** Why sessions cannot be contained, if they cannot. */
  public Optional<String> unavailable() {
    return Optional.ofNullable(unavailable);
  }

  /** The mechanism in use, for the log. */
  public String describe() {
    return description;
  }

  /**
   * Creates the cgroup of owner {@code name}, with the configured limits.
   *
   * @throws IOException when it cannot be made; nothing of it is left then
   */
  public SessionCgroup create(String name) throws IOException {
    if (v2 != null) {
      V2SessionCgroup cgroup = new V2SessionCgroup(v2.resolve(name), v2BornInside, live::remove);
      limit(
          cgroup,
          () -> cgroup.limit(settings.memoryLimit(), settings.tasksLimit(), settings.cpuWeight()));
      return cgroup;
    }
    V1SessionCgroup cgroup =
        new V1SessionCgroup(
            v1[0].resolve(name),
            v1[1] == null ? null : v1[1].resolve(name),
            v1[2] == null ? null : v1[2].resolve(name),
            v1Home,
            live::remove);
    limit(
        cgroup,
        () -> cgroup.limit(settings.memoryLimit(), settings.tasksLimit(), settings.cpuWeight()));
    return cgroup;
  }

  private interface Limits {
    void write() throws IOException;
  }

  private void limit(SessionCgroup cgroup, Limits limits) throws IOException {
    try {
      limits.write();
    } catch (IOException e) {
      cgroup.remove();
      throw e;
    }
    live.add(cgroup);
  }

  /**
   * Kills what is left in the sessions' cgroups (their owners should have been ended first) and
   * removes them, then the server's own directories.
   */
  public void close() {
    for (SessionCgroup cgroup : List.copyOf(live)) {
      for (int attempt = 0; attempt < 100 && !cgroup.remove(); attempt++) {
        cgroup.closeToForks();
        cgroup.processes().forEach(pid -> ProcessControl.signal(pid, 9));
        try {
          Thread.sleep(10);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    if (v2 != null) {
      removeDir(v2.resolve("server"));
      removeDir(v2);
    } else if (v1 != null) {
      for (Path dir : v1) {
        if (dir != null) {
          removeDir(dir);
        }
      }
    }
  }

  static long readLong(Path file) {
    try {
      return Long.parseLong(Files.readString(file).strip());
    } catch (IOException | NumberFormatException e) {
      return 0;
    }
  }

  static List<Integer> readPids(Path procs) {
    try {
      return Files.readAllLines(procs).stream()
          .filter(line -> !line.isBlank())
          .map(line -> Integer.valueOf(line.strip()))
          .toList();
    } catch (IOException gone) {
      return List.of();
    }
  }

  /** Removes an empty cgroup directory; false while it still has processes. */
  static boolean removeDir(Path dir) {
    try {
      Files.delete(dir);
      return true;
    } catch (NoSuchFileException gone) {
      return true;
    } catch (IOException busy) {
      return false;
    }
  }
}
