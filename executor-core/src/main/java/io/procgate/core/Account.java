package io.procgate.core;

import java.util.List;

/**
 * A user account as the system's user database gives it.
 *
 * @param groups the supplementary groups, the primary group included
 */
public record Account(
    String name, int uid, int gid, List<Integer> groups, String home, String shell) {
  public Account {
    groups = List.copyOf(groups);
  }
}
