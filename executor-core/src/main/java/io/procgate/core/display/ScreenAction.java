package io.procgate.core.display;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * One thing done to a screen with the mouse or the keyboard. Key names are X keysym names as
 * xdotool takes them ({@code Return}, {@code F5}, {@code a}), with {@code ctrl}, {@code alt},
 * {@code shift}, {@code super} and {@code meta} for the left modifiers, joined by {@code +} into
 * combinations ({@code ctrl+shift+Tab}).
 */
public sealed interface ScreenAction {
  /** Press, release or click {@code button} at {@code at}, {@code count} times. */
  record Click(Point at, MouseButton button, Press press, int count, List<String> holdKeys)
      implements ScreenAction {
    public Click {
      holdKeys = List.copyOf(holdKeys);
    }
  }

  /** What a click does with its button. */
  enum Press {
    DOWN,
    UP,
    CLICK
  }

  /**
   * Move the pointer to {@code to}: at once, or along a curve taking {@code duration} (a length
   * chosen from the distance when empty) when {@code smooth}.
   */
  record Move(Point to, boolean smooth, Optional<Duration> duration, List<String> holdKeys)
      implements ScreenAction {
    public Move {
      holdKeys = List.copyOf(holdKeys);
    }
  }

  /** Turn the wheel at {@code at}: {@code deltaY} ticks down (up when negative), then X. */
  record Scroll(Point at, int deltaX, int deltaY, List<String> holdKeys) implements ScreenAction {
    public Scroll {
      holdKeys = List.copyOf(holdKeys);
    }
  }

  /**
   * Hold {@code button} down at the path's first point, wait {@code delay}, move through the rest
   * of the path and release: in {@code stepsPerSegment} straight steps per segment {@code
   * stepDelay} apart, or along curves taking {@code duration} in all when {@code smooth}.
   */
  record Drag(
      List<Point> path,
      MouseButton button,
      Duration delay,
      int stepsPerSegment,
      Duration stepDelay,
      boolean smooth,
      Optional<Duration> duration,
      List<String> holdKeys)
      implements ScreenAction {
    public Drag {
      path = List.copyOf(path);
      holdKeys = List.copyOf(holdKeys);
    }
  }

  /** Type {@code text}, {@code delay} between keystrokes. */
  record TypeText(String text, Duration delay) implements ScreenAction {}

  /** Press each of {@code keys} in turn: tapped, or held for {@code duration} when not zero. */
  record PressKeys(List<String> keys, Duration duration, List<String> holdKeys)
      implements ScreenAction {
    public PressKeys {
      keys = List.copyOf(keys);
      holdKeys = List.copyOf(holdKeys);
    }
  }

  /**
   * Hide the pointer from the screen's viewers and recordings, or show it again; it still moves and
   * clicks while hidden.
   */
  record SetCursor(boolean hidden) implements ScreenAction {}

  /** Do nothing for {@code duration}. */
  record Sleep(Duration duration) implements ScreenAction {}
}
