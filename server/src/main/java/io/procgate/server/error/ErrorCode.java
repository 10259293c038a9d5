package io.procgate.server.error;

import io.procgate.core.ProcessException;
import io.procgate.core.display.DisplayException;
import io.procgate.core.files.FileException;
import java.util.Optional;

/**
 * Every error the API answers with: its HTTP status, its stable {@code code}, and whether a client
 * may retry it. The catalogue in docs/errors.md lists exactly these, and a test holds the two
 * together.
 */
public enum ErrorCode {
  INVALID_JSON(400),
  UNKNOWN_FIELD(400),
  INVALID_TYPE(400),
  VALIDATION_FAILED(400),
  INVALID_REQUEST(400),
  INVALID_CWD(400),
  INVALID_TIMEOUT(400),
  COMMAND_NOT_FOUND(400),
  NOT_EXECUTABLE(400),
  UNKNOWN_USER(400),
  CONFLICTING_USER_OPTIONS(400),
  PRIVILEGE_REQUIRED(400),
  INVALID_BASE64(400),
  INVALID_LAST_EVENT_ID(400),
  NOT_A_TERMINAL(400),
  HEADFUL_UNAVAILABLE(400),
  INVALID_PATH(400),
  INVALID_MODE(400),
  UNKNOWN_OWNER(400),
  INVALID_ARCHIVE(400),
  INVALID_MULTIPART(400),
  UNKNOWN_KEY(400),
  OFF_SCREEN(400),
  INVALID_ACTION(400),
  UNAUTHORIZED(401),
  PERMISSION_DENIED(403),
  SESSION_NOT_FOUND(404),
  PROCESS_NOT_FOUND(404),
  NOT_FOUND(404),
  BROWSER_NOT_FOUND(404),
  FILE_NOT_FOUND(404),
  WATCH_NOT_FOUND(404),
  REPLAY_NOT_FOUND(404),
  METHOD_NOT_ALLOWED(405),
  NOT_ACCEPTABLE(406),
  NAME_TAKEN(409),
  PROCESS_EXITED(409),
  STDIN_CLOSED(409),
  NOT_A_DIRECTORY(409),
  IS_A_DIRECTORY(409),
  NOT_A_REGULAR_FILE(409),
  DIRECTORY_NOT_EMPTY(409),
  ALREADY_EXISTS(409),
  FILE_IN_USE(409),
  NO_DISPLAY(409),
  REPLAY_RUNNING(409),
  LENGTH_REQUIRED(411),
  PAYLOAD_TOO_LARGE(413),
  UPLOAD_TOO_LARGE(413),
  URI_TOO_LONG(414),
  UNSUPPORTED_MEDIA_TYPE(415),
  HEADERS_TOO_LARGE(431),
  TOO_MANY_SESSIONS(429, true),
  TOO_MANY_PROCESSES(429, true),
  TOO_MANY_WATCHES(429, true),
  INTERNAL_ERROR(500),
  DISPLAY_FAILED(500),
  RESOURCE_EXHAUSTED(503, true),
  BROWSER_START_FAILED(503, true),
  BROWSER_UNAVAILABLE(503, true),
  NODE_UNAVAILABLE(503, true),
  DISPLAY_UNAVAILABLE(503),
  PLAYWRIGHT_UNAVAILABLE(503),
  INSUFFICIENT_STORAGE(507);

  private final int status;
  private final boolean retryable;

  ErrorCode(int status) {
    this(status, false);
  }

  ErrorCode(int status, boolean retryable) {
    this.status = status;
    this.retryable = retryable;
  }

  public int status() {
    return status;
  }

  /** The {@code code} of the {@code Error} body, such as {@code command_not_found}. */
  public String code() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /**
   * Whether the same request may succeed later; the others are sent with {@code x-should-retry:
   * false}, so Kernel's SDKs do not repeat them.
   */
  public boolean retryable() {
    return retryable;
  }

  /** The code of a core failure. */
  public static ErrorCode of(ProcessException.Kind kind) {
    return switch (kind) {
      case INVALID_REQUEST -> INVALID_REQUEST;
      case INVALID_TIMEOUT -> INVALID_TIMEOUT;
      case INVALID_CWD -> INVALID_CWD;
      case COMMAND_NOT_FOUND -> COMMAND_NOT_FOUND;
      case NOT_EXECUTABLE -> NOT_EXECUTABLE;
      case UNKNOWN_USER -> UNKNOWN_USER;
      case CONFLICTING_USER_OPTIONS -> CONFLICTING_USER_OPTIONS;
      case PRIVILEGE_REQUIRED -> PRIVILEGE_REQUIRED;
      case NOT_A_TERMINAL -> NOT_A_TERMINAL;
      case TOO_MANY_PROCESSES -> TOO_MANY_PROCESSES;
      case PROCESS_EXITED -> PROCESS_EXITED;
      case STDIN_CLOSED -> STDIN_CLOSED;
      // The session is being deleted: to the client it is already gone.
      case OWNER_CLOSED -> SESSION_NOT_FOUND;
      case HEADFUL_UNAVAILABLE -> HEADFUL_UNAVAILABLE;
      case BROWSER_FAILED -> BROWSER_START_FAILED;
      case RESOURCE_EXHAUSTED -> RESOURCE_EXHAUSTED;
      case SYSTEM_FAILURE -> INTERNAL_ERROR;
    };
  }

  /** The code of a refused or failed file operation. */
  public static ErrorCode of(FileException.Kind kind) {
    return switch (kind) {
      case INVALID_PATH -> INVALID_PATH;
      case INVALID_MODE -> INVALID_MODE;
      case UNKNOWN_OWNER -> UNKNOWN_OWNER;
      case NOT_FOUND -> FILE_NOT_FOUND;
      case PERMISSION_DENIED -> PERMISSION_DENIED;
      case NOT_A_DIRECTORY -> NOT_A_DIRECTORY;
      case IS_A_DIRECTORY -> IS_A_DIRECTORY;
      case NOT_A_REGULAR_FILE -> NOT_A_REGULAR_FILE;
      case NO_SPACE -> INSUFFICIENT_STORAGE;
      case NOT_EMPTY -> DIRECTORY_NOT_EMPTY;
      case ALREADY_EXISTS -> ALREADY_EXISTS;
      case IN_USE -> FILE_IN_USE;
      case INVALID_ARCHIVE -> INVALID_ARCHIVE;
      case BUSY -> RESOURCE_EXHAUSTED;
      case SYSTEM_FAILURE -> INTERNAL_ERROR;
    };
  }

  /** The code of a screen action or recording refused or failed. */
  public static ErrorCode of(DisplayException.Kind kind) {
    return switch (kind) {
      case UNKNOWN_KEY -> UNKNOWN_KEY;
      case OFF_SCREEN -> OFF_SCREEN;
      case INVALID_ACTION -> INVALID_ACTION;
      case REPLAY_RUNNING -> REPLAY_RUNNING;
      case REPLAY_NOT_FOUND -> REPLAY_NOT_FOUND;
      case UNAVAILABLE -> DISPLAY_UNAVAILABLE;
      case FAILED -> DISPLAY_FAILED;
    };
  }

  /** The code whose {@link #code()} is {@code code}, as a node's {@code Error} body names it. */
  public static Optional<ErrorCode> named(String code) {
    for (ErrorCode candidate : values()) {
      if (candidate.code().equals(code)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /**
   * The generic code of a status the HTTP layers answer on their own (no route, wrong method, ...).
   */
  public static ErrorCode forStatus(int status) {
    return switch (status) {
      case 401 -> UNAUTHORIZED;
      case 404 -> NOT_FOUND;
      case 405 -> METHOD_NOT_ALLOWED;
      case 406 -> NOT_ACCEPTABLE;
      case 411 -> LENGTH_REQUIRED;
      case 413 -> PAYLOAD_TOO_LARGE;
      case 414 -> URI_TOO_LONG;
      case 415 -> UNSUPPORTED_MEDIA_TYPE;
      case 431 -> HEADERS_TOO_LARGE;
      default -> status >= 500 ? INTERNAL_ERROR : INVALID_REQUEST;
    };
  }
}
