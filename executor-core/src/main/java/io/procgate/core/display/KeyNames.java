package io.procgate.core.display;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Checks key names before xdotool sees them: xdotool skips a name it does not know with a warning
 * and goes on, so a typo would press nothing and still succeed. A name is known when it is one of
 * xdotool's modifier aliases or Xlib's {@code XStringToKeysym} finds it; that function only reads
 * Xlib's own table and opens no connection to any display.
 */
final class KeyNames {
  private static final Set<String> ALIASES =
      Set.of("alt", "ctrl", "control", "meta", "super", "shift");

  private interface Xlib extends Library {
    long XStringToKeysym(String name);
  }

  private static Xlib xlib;

  private KeyNames() {}

  /** Checks every name of {@code keys}, each a key or a {@code +}-joined combination. */
  static void check(List<String> keys) {
    keys.forEach(KeyNames::forXdotool);
  }

  /** {@code keys} as xdotool is to be given them; see {@link #forXdotool(String)}. */
  static List<String> forXdotool(List<String> keys) {
    return keys.stream().map(KeyNames::forXdotool).toList();
  }

  /**
   * {@code key}, a key or a {@code +}-joined combination, as xdotool is to be given it: each key as
   * its keysym's number, which no xdotool command name can be mistaken for (xdotool takes a key
   * named {@code Help} for its command {@code help}), and the modifier aliases as they are.
   */
  static String forXdotool(String key) {
    if (key.isEmpty()
        || key.startsWith("+")
        || key.endsWith("+")
        || key.contains("++")
        || key.chars().anyMatch(Character::isISOControl)) {
      throw new DisplayException(
          DisplayException.Kind.UNKNOWN_KEY,
          "not a key or a combination of keys: '" + printable(key) + "'");
    }
    List<String> parts = new ArrayList<>();
    for (String name : key.split("\\+")) {
      if (ALIASES.contains(name.toLowerCase(Locale.ROOT))) {
        parts.add(name);
        continue;
      }
      long keysym = keysym(name);
      if (keysym == 0) {
        throw new DisplayException(
            DisplayException.Kind.UNKNOWN_KEY,
            "unknown key name '"
                + name
                + "': key names are X keysym names, such as Return, Escape, Tab, F5, a, or"
                + " ctrl, alt, shift, super and meta");
      }
      parts.add("0x" + Long.toHexString(keysym));
    }
    return String.join("+", parts);
  }

  // Xlib's first lookup builds its table, which it does not guard against a second thread.
  private static synchronized long keysym(String name) {
    if (xlib == null) {
      try {
        xlib = Native.load("X11", Xlib.class);
      } catch (UnsatisfiedLinkError e) {
        throw new DisplayException(
            DisplayException.Kind.UNAVAILABLE, "Xlib (libX11) is not installed", e);
      }
    }
    return xlib.XStringToKeysym(name);
  }

  private static String printable(String key) {
    StringBuilder shown = new StringBuilder();
    key.codePoints()
        .limit(64)
        .forEach(
            c ->
                shown.append(
                    Character.isISOControl(c)
                        ? String.format("\\u%04x", c)
                        : Character.toString(c)));
    return shown.toString();
  }
}
