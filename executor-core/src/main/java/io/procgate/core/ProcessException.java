package io.procgate.core;

import java.util.Locale;

/**
 * A request the executor refused or could not carry out. {@link Kind} is the closed set of reasons;
 * callers map it to their own protocol, the message is for people.
 */
public final class ProcessException extends RuntimeException {

  /** Why; each kind says whether the caller's input was at fault. */
  public enum Kind {
    /** A malformed request: empty command, NUL bytes, bad environment name, bad size. */
    INVALID_REQUEST(true),
    /** {@code timeout_sec} below zero or above the configured maximum. */
    INVALID_TIMEOUT(true),
    /** {@code cwd} is relative, missing, not a directory, or not searchable by the user. */
    INVALID_CWD(true),
    /** The command is nowhere to be found. */
    COMMAND_NOT_FOUND(true),
    /** The command exists but the user may not execute it, or it is not an executable. */
    NOT_EXECUTABLE(true),
    /** {@code as_user} names no account. */
    UNKNOWN_USER(true),
    /** {@code as_user} and {@code as_root} together. */
    CONFLICTING_USER_OPTIONS(true),
    /** Switching user needs privileges the server does not have. */
    PRIVILEGE_REQUIRED(true),
    /** The owner already runs as many processes as it may. */
    TOO_MANY_PROCESSES(true),
    /** The process has exited; it cannot take input or signals any more. */
    PROCESS_EXITED(true),
    /** The process's stdin is closed, by a request or by the process itself. */
    STDIN_CLOSED(true),
    /** A terminal operation on a process that has no terminal. */
    NOT_A_TERMINAL(true),
    /** The owner is being torn down and takes no new processes. */
    OWNER_CLOSED(true),
    /** The system is out of a resource: descriptors, processes, memory. */
    RESOURCE_EXHAUSTED(false),
    /** The operating system refused for a reason no input explains. */
    SYSTEM_FAILURE(false);

    private final boolean callerError;

    Kind(boolean callerError) {
      this.callerError = callerError;
    }

    public boolean isCallerError() {
      return callerError;
    }

    /** A stable lower-case code, such as {@code command_not_found}. */
    public String code() {
      return name().toLowerCase(Locale.ROOT);
    }
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
