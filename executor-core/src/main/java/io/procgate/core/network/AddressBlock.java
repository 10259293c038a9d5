package io.procgate.core.network;

/**
 * The IPv4 addresses sessions' networks are numbered from, such as {@code 10.231.0.0/16}: each
 * session takes four of them, a /30, its host side the first usable one, its own the second.
 */
public record AddressBlock(int base, int prefix) {
  private static final int PER_SESSION = 4;

  public AddressBlock {
    if (prefix < 8 || prefix > 30 || (base & ~mask(prefix)) != 0) {
      throw new IllegalArgumentException(
          "an address block must be a.b.c.d/n with n from 8 to 30 and no bits past n, got "
              + dotted(base)
              + "/"
              + prefix);
    }
  }

  /**
   * Reads {@code a.b.c.d/n}.
   *
   * @throws IllegalArgumentException when {@code text} is no such block
   */
  public static AddressBlock parse(String text) {
    String[] parts = text.strip().split("/");
    String[] octets = parts[0].split("\\.");
    if (parts.length != 2 || octets.length != 4) {
      throw new IllegalArgumentException("an address block must be a.b.c.d/n, got '" + text + "'");
    }
    try {
      int base = 0;
      for (String octet : octets) {
        int value = Integer.parseInt(octet);
        if (value < 0 || value > 255) {
          throw new NumberFormatException(octet);
        }
        base = base << 8 | value;
      }
      return new AddressBlock(base, Integer.parseInt(parts[1]));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "an address block must be a.b.c.d/n, got '" + text + "'", e);
    }
  }

  /** How many sessions it numbers. */
  public int sessions() {
    return (1 << (32 - prefix)) / PER_SESSION;
  }

  /** The host side's address of session network {@code index}. */
  String hostAddress(int index) {
    return dotted(base + PER_SESSION * index + 1);
  }

  /** The session's own address in network {@code index}. */
  String sessionAddress(int index) {
    return dotted(base + PER_SESSION * index + 2);
  }

  private static int mask(int prefix) {
    return prefix == 0 ? 0 : -1 << (32 - prefix);
  }

  private static String dotted(int address) {
    return (address >>> 24)
        + "."
        + (address >>> 16 & 0xFF)
        + "."
        + (address >>> 8 & 0xFF)
        + "."
        + (address & 0xFF);
  }

  @Override
  public String toString() {
    return dotted(base) + "/" + prefix;
  }
}
