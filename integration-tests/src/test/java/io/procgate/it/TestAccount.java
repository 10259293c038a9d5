package io.procgate.it;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The unprivileged account {@value #NAME}, with the extra group {@value #EXTRA_GROUP}, that {@code
 * as_user} tests run as. Created on first use; needs the tests to run as root.
 */
final class TestAccount {
  static final String NAME = "procgate-test";
  static final String EXTRA_GROUP = "procgate-extra";

  private TestAccount() {}

  static void require() throws IOException, InterruptedException {
    assumeTrue("root".equals(System.getProperty("user.name")), "as_user tests need root");
    if (run("id", NAME) == 0) {
      return;
    }
    if (run("getent", "group", EXTRA_GROUP) != 0 && run("groupadd", EXTRA_GROUP) != 0) {
      throw new IllegalStateException("groupadd " + EXTRA_GROUP + " failed");
    }
    if (run("useradd", "--create-home", "--shell", "/bin/bash", "--groups", EXTRA_GROUP, NAME)
        != 0) {
      throw new IllegalStateException("useradd " + NAME + " failed");
    }
  }

  /** The account's uid, as {@code /proc/<pid>/status} shows it. */
  static String uid() throws IOException, InterruptedException {
    Process process = new ProcessBuilder("id", "-u", NAME).redirectErrorStream(true).start();
    String uid = new String(process.getInputStream().readAllBytes()).strip();
    if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IllegalStateException("id -u " + NAME + " failed: " + uid);
    }
    return uid;
  }

  private static int run(String... command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
    process.getInputStream().readAllBytes();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException(String.join(" ", command) + " did not finish");
    }
    return process.exitValue();
  }
}
