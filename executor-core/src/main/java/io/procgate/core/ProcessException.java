package io.procgate.core;

/**
 * A request the executor refused or could not carry out. {@link Kind} is the closed set of reasons;
 * callers map it to their own protocol, the message is for people.
 */
public final class ProcessException extends RuntimeException {

  /** Why. */
  public enum Kind {
    /** A malformed request: empty command, NUL bytes, bad environment name, bad size. */
    INVALID_REQUEST,
    /** {@code timeout_sec} below zero or above the configured maximum. */
    INVALID_TIMEOUT,
    /** {@code cwd} is relative, missing, not a directory, or not searchable by the user. */
    INVALID_CWD,
    /** The command is nowhere to be found. */
    COMMAND_NOT_FOUND,
    /** The command exists but the user may not execute it, or it is not an executable. */
    NOT_EXECUTABLE,
    /** {@code as_user} names no account. */
    UNKNOWN_USER,
    /** {@code as_user} and {@code as_root} together. */
    CONFLICTING_USER_OPTIONS,
    /** Switching user needs privileges the server does not have. */
    PRIVILEGE_REQUIRED,
    /** The owner already runs as many processes as it may. */
    TOO_MANY_PROCESSES,
    /** The process has exited; it cannot take input or signals any more. */
    PROCESS_EXITED,
    /** The process's stdin is closed, by a request or by the process itself. */
    STDIN_CLOSED,
    /** A terminal operation on a process that has no terminal. */
    NOT_A_TERMINAL,
    /** The owner is being torn down and takes no new processes. */
    OWNER_CLOSED,
    /** A headful browser was asked for where no virtual display can be started. */
    HEADFUL_UNAVAILABLE,
    /** The browser did not start, or did not answer over CDP in time. */
    BROWSER_FAILED,
    /** The system is out of a resource: descriptors, processes, memory. */
    RESOURCE_EXHAUSTED,
    /** The operating system refused for a reason no input explains. */
    SYSTEM_FAILURE
  }

  private final Kind kind;

  public ProcessException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public ProcessException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
