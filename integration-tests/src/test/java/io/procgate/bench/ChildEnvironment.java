package io.procgate.bench;

import java.util.Map;

/** The environment procgate gives a child of the server's user, for the baselines' children. */
final class ChildEnvironment {
  static final Map<String, String> BASE =
      Map.of(
          "PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
          "HOME", System.getProperty("user.home"),
          "USER", System.getProperty("user.name"),
          "LOGNAME", System.getProperty("user.name"),
          "SHELL", "/bin/bash",
          "LANG", "C.UTF-8",
          "TERM", "dumb",
          "PROCGATE_SESSION_ID", "benchmarkbenchmarkbench0",
          "PROCGATE_SESSION_DIR", "/tmp");

  private ChildEnvironment() {}
}
