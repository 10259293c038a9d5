package io.procgate.core.display;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keys of their own for the characters a US keyboard does not have. xdotool types such a character
 * by binding one spare key to it for the moment and unbinding it after; Chromium keeps the binding
 * it read first, so the next character bound to that key comes out as the one before, or not at
 * all. Here each character keeps a spare key of its own while it is among the most recently typed,
 * and the display is given the bindings before xdotool types: xdotool then finds the character on a
 * key and binds nothing.
 */
final class Keymap {
  private static final Pattern UNBOUND = Pattern.compile("(?m)^keycode\\s+(\\d+)\\s*=\\s*$");

  private final List<Integer> spare = new ArrayList<>();
  // Code point to key, least recently typed first.
  private final LinkedHashMap<Integer, Integer> bound = new LinkedHashMap<>(16, 0.75f, true);

  /** Learns the keys with nothing bound from {@code xmodmap -pke}'s table. */
  Keymap(String table) {
    Matcher key = UNBOUND.matcher(table);
    while (key.find()) {
      spare.add(Integer.parseInt(key.group(1)));
    }
  }

  /** How many characters can have keys at once. */
  int capacity() {
    return spare.size();
  }

  /** Whether {@code codePoint} is on the keyboard already: printable ASCII, tab, newline. */
  static boolean onKeyboard(int codePoint) {
    return codePoint < 0x80;
  }

  /**
   * The {@code xmodmap -e} expressions that give each character of {@code text} that needs one a
   * key, at most {@link #capacity()} distinct ones; empty when all have keys already.
   */
  synchronized List<String> bind(String text) {
    List<String> expressions = new ArrayList<>();
    text.codePoints()
        .filter(c -> !onKeyboard(c))
        .distinct()
        .forEach(
            c -> {
              if (bound.get(c) != null) {
                return;
              }
              int key;
              if (bound.size() < spare.size()) {
                key = spare.get(bound.size());
              } else {
                Iterator<Map.Entry<Integer, Integer>> oldest = bound.entrySet().iterator();
                key = oldest.next().getValue();
                oldest.remove();
              }
              bound.put(c, key);
              String keysym = "0x" + Integer.toHexString(keysym(c));
              expressions.add("keycode " + key + " = " + keysym + " " + keysym);
            });
    return expressions;
  }

  /** X's keysym of a character: Latin-1 as itself, the rest in X's Unicode range. */
  static int keysym(int codePoint) {
    return codePoint >= 0xa0 && codePoint <= 0xff ? codePoint : 0x01000000 | codePoint;
  }
}
