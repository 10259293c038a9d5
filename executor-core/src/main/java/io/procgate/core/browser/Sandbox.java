package io.procgate.core.browser;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether Chromium's own sandbox can run for a user. It needs unprivileged user namespaces, which a
 * kernel or an AppArmor policy may forbid, and it refuses to run as root.
 */
final class Sandbox {
  private Sandbox() {}

  static boolean available(int uid) {
    return uid != 0
        && !sysctl("kernel/unprivileged_userns_clone", "0")
        && !sysctl("user/max_user_namespaces", "0")
        && !sysctl("kernel/apparmor_restrict_unprivileged_userns", "1");
  }

  private static boolean sysctl(String name, String value) {
    try {
      return Files.readString(Path.of("/proc/sys", name)).strip().equals(value);
    } catch (IOException absent) {
      return false;
    }
  }
}
