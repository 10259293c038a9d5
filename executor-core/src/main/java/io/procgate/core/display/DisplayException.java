package io.procgate.core.display;

/** A screen action refused, or one the display could not carry out. */
public final class DisplayException extends RuntimeException {
  /** Why. */
  public enum Kind {
    /** A key name X does not know. */
    UNKNOWN_KEY,
    /** A position or region outside the screen. */
    OFF_SCREEN,
    /** An action whose fields do not fit together (a drag of one point, say). */
    INVALID_ACTION,
    /** The tools that drive the display are missing. */
    UNAVAILABLE,
    /** A recording runs, and this needs it stopped. */
    REPLAY_RUNNING,
    /** The session has no replay of that id. */
    REPLAY_NOT_FOUND,
    /** The display did not do what it was asked. */
    FAILED
  }

  private final Kind kind;

  public DisplayException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public DisplayException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
