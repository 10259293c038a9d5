package io.procgate.core.display;

import com.sun.jna.Library;
import com.sun.jna.Native;
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

  private static volatile Xlib xlib;

  private KeyNames() {}

  /** Checks every name of {@code keys}, each a key or a {@code +}-joined combination. */
  static void check(List<String> keys) {
    for (String key : keys) {
      if (key.isEmpty() || key.startsWith("+") || key.endsWith("+") || key.contains("++")) {
        throw new DisplayException(
            DisplayException.Kind.UNKNOWN_KEY, "not a key or a combination of keys: '" + key + "'");
      }
      for (String name : key.split("\\+")) {
        if (!ALIASES.contains(name.toLowerCase(Locale.ROOT))
            && library().XStringToKeysym(name) == 0) {
          throw new DisplayException(
              DisplayException.Kind.UNKNOWN_KEY,
              "unknown key name '"
                  + name
                  + "': key names are X keysym names, such as Return, Escape, Tab, F5, a, or"
                  + " ctrl, alt, shift, super and meta");
        }
      }
    }
  }

  private static Xlib library() {
    Xlib loaded = xlib;
    if (loaded == null) {
      try {
        loaded = Native.load("X11", Xlib.class);
      } catch (UnsatisfiedLinkError e) {
        throw new DisplayException(
            DisplayException.Kind.UNAVAILABLE, "Xlib (libX11) is not installed", e);
      }
      xlib = loaded;
    }
    return loaded;
  }
}
