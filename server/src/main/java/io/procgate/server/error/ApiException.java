package io.procgate.server.error;

/** A request the server refuses, with the error code (and so the HTTP status) of the answer. */
public final class ApiException extends RuntimeException {
  private final ErrorCode code;

  public ApiException(ErrorCode code, String message) {
    super(message);
    this.code = code;
  }

  public ErrorCode code() {
    return code;
  }

  public static ApiException sessionNotFound(String idOrName) {
    return new ApiException(
        ErrorCode.SESSION_NOT_FOUND, "no session has the id or name " + quoted(idOrName));
  }

  /** Keeps hostile input out of messages: printable, and at most 64 characters of it. */
  public static String quoted(String value) {
    StringBuilder shown = new StringBuilder("'");
    value
        .codePoints()
        .limit(64)
        .forEach(
            c ->
                shown.append(
                    Character.isISOControl(c)
                        ? String.format("\\u%04x", c)
                        : Character.toString(c)));
    return shown.append(value.codePointCount(0, value.length()) > 64 ? "...'" : "'").toString();
  }
}
