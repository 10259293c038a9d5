package io.procgate.server.validation;

import java.util.Collection;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One constraint on a present value. Whether {@code null} is allowed is the value's own rule: an
 * absent optional field satisfies every constraint, as in Bean Validation.
 */
sealed interface Rule {

  /** What is wrong with the value, or {@code null} when it satisfies the rule. */
  String problem(Object value);

  /** A length of text, or a number of items or entries, between {@code min} and {@code max}. */
  record Size(int min, int max) implements Rule {
    @Override
    public String problem(Object value) {
      int size;
      if (value instanceof CharSequence text) {
        size = text.length();
      } else if (value instanceof Collection<?> items) {
        size = items.size();
      } else {
        size = ((Map<?, ?>) value).size();
      }
      if (size >= min && size <= max) {
        return null;
      }
      String unit = value instanceof CharSequence ? " characters long" : " items";
      if (min == 0) {
        return "must be at most " + max + unit;
      }
      if (max == Integer.MAX_VALUE) {
        return "must be at least " + min + unit;
      }
      return "must be between " + min + " and " + max + unit;
    }
  }

  /** A whole number no smaller than {@code min}. */
  record AtLeast(long min) implements Rule {
    @Override
    public String problem(Object value) {
      return ((Number) value).longValue() >= min ? null : "must be at least " + min;
    }
  }

  /** A whole number no greater than {@code max}. */
  record AtMost(long max) implements Rule {
    @Override
    public String problem(Object value) {
      return ((Number) value).longValue() <= max ? null : "must be at most " + max;
    }
  }

  /** Text that matches {@code pattern} as a whole. */
  record Matches(Pattern pattern) implements Rule {
    @Override
    public String problem(Object value) {
      return pattern.matcher((CharSequence) value).matches()
          ? null
          : "must match " + pattern.pattern();
    }
  }
}
