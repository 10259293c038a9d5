package io.procgate.core;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.procgate.core.internal.os.Accounts;
import io.procgate.core.internal.os.ProcessControl;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The unprivileged account user-switching tests run as, created on first use when the tests run as
 * root: {@value #NAME}, with the extra group {@value #EXTRA_GROUP}.
 */
final class TestUser {
  static final String NAME = "procgate-test";
  static final String EXTRA_GROUP = "procgate-extra";

  private TestUser() {}

  /** Skips the calling test unless it runs as root; creates the account if missing. */
  static Account require(ProcessExecutor executor) throws Exception {
    assumeTrue(ProcessControl.uid() == 0, "switching users needs the tests to run as root");
    if (Accounts.byName(NAME).isEmpty()) {
      String script =
          "getent group "
              + EXTRA_GROUP
              + " >/dev/null || groupadd "
              + EXTRA_GROUP
              + "; id "
              + NAME
              + " >/dev/null 2>&1 || useradd --create-home --shell /bin/bash --groups "
              + EXTRA_GROUP
              + " "
              + NAME;
      ExecResult result =
          executor
              .exec(LaunchRequest.builder(script, Path.of("/")).build(), executor.newTable())
              .result()
              .get(30, TimeUnit.SECONDS);
      if (result.status().exitCode() != 0) {
        throw new IllegalStateException(
            "cannot create test user: " + new String(result.stderr().bytes()));
      }
    }
    return Accounts.byName(NAME).orElseThrow();
  }
}
