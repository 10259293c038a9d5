package io.procgate.server.session;

import java.security.SecureRandom;

/** Session ids in Kernel's style: 24 random lower-case letters and digits (124 bits). */
public final class SessionIds {
  private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();
  static final int LENGTH = 24;
  private static final SecureRandom RANDOM = new SecureRandom();

  private SessionIds() {}

  public static String next() {
    char[] id = new char[LENGTH];
    for (int i = 0; i < id.length; i++) {
      id[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
    }
    return new String(id);
  }

  public static boolean looksLikeId(String value) {
    if (value.length() != LENGTH) {
      return false;
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) {
        return false;
      }
    }
    return true;
  }
}
