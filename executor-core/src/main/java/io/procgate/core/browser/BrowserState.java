package io.procgate.core.browser;

/** Where a session's browser is in its life. */
public enum BrowserState {
  /** Started, not yet answering over CDP. */
  STARTING,
  /** Answering over CDP at its {@link Browser#endpoint()}. */
  RUNNING,
  /** It died on its own and is being started again. */
  RESTARTING,
  /** It died too often, or could not be started again: it stays down. */
  FAILED,
  /** Ended with its session. */
  STOPPED
}
