package io.procgate.server.error;

/** A request the server refuses, with the HTTP status and the stable code of the answer. */
public final class ApiException extends RuntimeException {
  private final int status;
  private final String code;

  public ApiException(int status, String code, String message) {
    super(message);
    this.status = status;
    this.code = code;
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  public static ApiException invalidRequest(String message) {
    return new ApiException(400, "invalid_request", message);
  }

  public static ApiException sessionNotFound(String idOrName) {
    return new ApiException(
        404, "session_not_found", "no session has the id or name " + quoted(idOrName));
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
