package io.procgate.server.mapping;

import io.procgate.server.error.ApiException;
import io.procgate.server.error.ErrorCode;
import java.util.List;
import java.util.Map;

/**
 * Rejects JSON nulls where the API requires a value: fields that are not nullable in the spec, and
 * elements of arrays and maps.
 */
public final class Required {
  private Required() {}

  public static <T> T value(String field, T value) {
    if (value == null) {
      throw nullIn(field);
    }
    return value;
  }

  public static List<String> list(String field, List<String> values) {
    value(field, values);
    for (int i = 0; i < values.size(); i++) {
      if (values.get(i) == null) {
        throw nullIn(field + "[" + i + "]");
      }
    }
    return values;
  }

  public static Map<String, String> map(String field, Map<String, String> values) {
    value(field, values);
    values.forEach(
        (key, value) -> {
          if (value == null) {
            throw nullIn(field + "." + key);
          }
        });
    return values;
  }

  private static ApiException nullIn(String field) {
    return new ApiException(
        ErrorCode.INVALID_TYPE, "field " + ApiException.quoted(field) + " must not be null");
  }
}
