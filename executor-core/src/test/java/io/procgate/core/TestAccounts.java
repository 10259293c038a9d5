package io.procgate.core;

/** The unprivileged test account, for tests outside this package. */
public final class TestAccounts {
  private TestAccounts() {}

  /** Creates it if missing; needs root. */
  public static Account unprivileged() throws Exception {
    ProcessExecutor executor = new ProcessExecutor(ExecutorSettings.defaults());
    try {
      return TestUser.require(executor);
    } finally {
      executor.close();
    }
  }
}
