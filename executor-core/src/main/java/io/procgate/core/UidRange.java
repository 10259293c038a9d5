package io.procgate.core;

/**
 * The uids sessions take their own accounts from, {@code first} to {@code last} inclusive. None of
 * them may belong to an account of the system: a uid that has one is skipped.
 */
public record UidRange(int first, int last) {
  public UidRange {
    if (first < 1 || last < first || last == Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "a uid range must be first-last with 0 < first <= last < 2147483647, got "
              + first
              + "-"
              + last);
    }
  }

  /**
   * Reads {@code first-last}, such as {@code 600000-609999}.
   *
   * @throws IllegalArgumentException when {@code text} is no such range
   */
  public static UidRange parse(String text) {
    int dash = text.indexOf('-');
    if (dash < 1) {
      throw new IllegalArgumentException("a uid range must be first-last, got '" + text + "'");
    }
    try {
      return new UidRange(
          Integer.parseInt(text.substring(0, dash).strip()),
          Integer.parseInt(text.substring(dash + 1).strip()));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("a uid range must be first-last, got '" + text + "'", e);
    }
  }

  public int size() {
    return last - first + 1;
  }

  @Override
  public String toString() {
    return first + "-" + last;
  }
}
