package io.procgate.core.internal.cgroup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Where this process's cgroups are: every mounted hierarchy, as {@code /proc/self/mountinfo} lists
 * it, with the directory of this process's own cgroup in it, as {@code /proc/self/cgroup} names it.
 */
final class CgroupMounts {
  /**
   * One hierarchy.
   *
   * @param controllers what it controls ({@code pids}, {@code memory}, {@code cpu}, ...); for
   *     cgroup v2, those enabled in this process's cgroup
   * @param own the directory of this process's cgroup in it
   */
  record Hierarchy(boolean v2, Set<String> controllers, Path own) {}

  private CgroupMounts() {}

  static List<Hierarchy> read() {
    try {
      return parse(
          Files.readAllLines(Path.of("/proc/self/mountinfo")),
          Files.readAllLines(Path.of("/proc/self/cgroup")));
    } catch (IOException e) {
      return List.of();
    }
  }

  /** The hierarchies of {@code mountinfo} lines, placed by {@code cgroup} lines. */
  static List<Hierarchy> parse(List<String> mountinfo, List<String> cgroup) {
    // "N:controllers:/path" on v1, "0::/path" on v2.
    Map<String, String> paths = new TreeMap<>();
    for (String line : cgroup) {
      String[] parts = line.split(":", 3);
      if (parts.length == 3) {
        paths.put(parts[1], parts[2]);
      }
    }
    List<Hierarchy> hierarchies = new ArrayList<>();
    for (String line : mountinfo) {
      // id parent major:minor root mountpoint options [optional...] - type source superoptions
      int dash = line.indexOf(" - ");
      if (dash < 0) {
        continue;
      }
      String[] head = line.substring(0, dash).split(" ");
      String[] tail = line.substring(dash + 3).split(" ");
      if (head.length < 5 || tail.length < 3) {
        continue;
      }
      String root = unescape(head[3]);
      Path mountPoint = Path.of(unescape(head[4]));
      if (tail[0].equals("cgroup2")) {
        String own = paths.get("");
        if (own != null) {
          Path dir = under(mountPoint, root, own);
          hierarchies.add(new Hierarchy(true, v2Controllers(dir), dir));
        }
      } else if (tail[0].equals("cgroup")) {
        Set<String> controllers = Set.of(tail[2].split(","));
        paths.entrySet().stream()
            .filter(entry -> !entry.getKey().isEmpty())
            .filter(
                entry -> Set.of(entry.getKey().split(",")).stream().anyMatch(controllers::contains))
            .findFirst()
            .ifPresent(
                entry ->
                    hierarchies.add(
                        new Hierarchy(
                            false,
                            Set.of(entry.getKey().split(",")),
                            under(mountPoint, root, entry.getValue()))));
      }
    }
    return hierarchies;
  }

  private static Path under(Path mountPoint, String root, String path) {
    String relative = path.startsWith(root) ? path.substring(root.length()) : path;
    return relative.isEmpty() || relative.equals("/")
        ? mountPoint
        : mountPoint.resolve(relative.startsWith("/") ? relative.substring(1) : relative);
  }

  private static Set<String> v2Controllers(Path dir) {
    try {
      String line = Files.readString(dir.resolve("cgroup.controllers")).strip();
      return line.isEmpty() ? Set.of() : Set.of(line.split(" "));
    } catch (IOException e) {
      return Set.of();
    }
  }

  /** mountinfo escapes spaces, tabs, newlines and backslashes as octal. */
  private static String unescape(String field) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < field.length(); i++) {
      char c = field.charAt(i);
      if (c == '\\' && i + 3 < field.length()) {
        out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  static Optional<Hierarchy> v1(List<Hierarchy> all, String controller) {
    return all.stream().filter(h -> !h.v2() && h.controllers().contains(controller)).findFirst();
  }

  static Optional<Hierarchy> v2(List<Hierarchy> all) {
    return all.stream().filter(Hierarchy::v2).findFirst();
  }
}
