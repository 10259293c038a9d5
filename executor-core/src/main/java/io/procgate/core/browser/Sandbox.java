package io.procgate.core.browser;

import io.procgate.core.ExecResult;
import io.procgate.core.LaunchRequest;
import io.procgate.core.ProcessException;
import io.procgate.core.ProcessExecutor;
import io.procgate.core.ProcessTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Whether Chromium's own sandbox can run here. It needs unprivileged user namespaces, which a
 * kernel or an AppArmor policy may forbid, and which nobody may make in a chroot (and it refuses to
 * run as root).
 */
final class Sandbox {
  private static final long PROBE_SECONDS = 10;

  private Sandbox() {}

  /** Asks the kernel's settings, then makes one: only that shows a chroot or a seccomp policy. */
  static boolean userNamespaces(ProcessExecutor executor) {
    if (sysctl("kernel/unprivileged_userns_clone", "0")
        || sysctl("user/max_user_namespaces", "0")
        || sysctl("kernel/apparmor_restrict_unprivileged_userns", "1")) {
      return false;
    }
    ProcessTable own = executor.newTable();
    try {
      ExecResult made =
          executor
              .exec(
                  LaunchRequest.builder("unshare", Path.of("/")).args("--user", "true").build(),
                  own)
              .result()
              .get(PROBE_SECONDS, TimeUnit.SECONDS);
      return made.status().code() == 0 && made.status().signal() == 0;
    } catch (ProcessException noUnshare) {
      // Without util-linux's unshare the settings are all there is to go by.
      return true;
    } catch (ExecutionException | TimeoutException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } finally {
      executor.terminateAll(own);
    }
  }

  private static boolean sysctl(String name, String value) {
    try {
      return Files.readString(Path.of("/proc/sys", name)).strip().equals(value);
    } catch (IOException absent) {
      return false;
    }
  }
}
