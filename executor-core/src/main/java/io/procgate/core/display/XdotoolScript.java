package io.procgate.core.display;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * An action as one xdotool command line, its commands chained. Held keys go down first and up last,
 * in reverse. Every click and key is sent without xdotool's default delays, which would add 100 ms
 * to a click and 12 ms to each typed key.
 */
final class XdotoolScript {
  private static final int WHEEL_UP = 4;
  private static final int WHEEL_DOWN = 5;
  private static final int WHEEL_LEFT = 6;
  private static final int WHEEL_RIGHT = 7;

  private final List<String> args = new ArrayList<>();
  private Duration waits = Duration.ZERO;

  /** The command line of {@code action}; a smooth movement starts from {@code pointer}. */
  static XdotoolScript of(ScreenAction action, Point pointer) {
    XdotoolScript script = new XdotoolScript();
    if (action instanceof ScreenAction.Click click) {
      script.move(click.at());
      script.hold(click.holdKeys(), () -> script.press(click));
    } else if (action instanceof ScreenAction.Move move) {
      script.hold(
          move.holdKeys(),
          () -> {
            if (move.smooth()) {
              script.glide(pointer, move.to(), move.duration());
            } else {
              script.move(move.to());
            }
          });
    } else if (action instanceof ScreenAction.Scroll scroll) {
      script.move(scroll.at());
      script.hold(
          scroll.holdKeys(),
          () -> {
            script.wheel(scroll.deltaY(), WHEEL_DOWN, WHEEL_UP);
            script.wheel(scroll.deltaX(), WHEEL_RIGHT, WHEEL_LEFT);
          });
    } else if (action instanceof ScreenAction.Drag drag) {
      script.move(drag.path().get(0));
      script.hold(drag.holdKeys(), () -> script.drag(drag));
    } else if (action instanceof ScreenAction.TypeText type) {
      // Last on its line: xdotool types every argument after the options.
      script.add("type", "--delay", Long.toString(type.delay().toMillis()), "--", type.text());
    } else if (action instanceof ScreenAction.PressKeys keys) {
      script.hold(keys.holdKeys(), () -> script.keys(keys));
    } else if (action instanceof ScreenAction.Sleep sleep) {
      script.sleep(sleep.duration());
    }
    return script;
  }

  List<String> args() {
    return List.copyOf(args);
  }

  /** How long the script sleeps in all. */
  Duration waits() {
    return waits;
  }

  private void press(ScreenAction.Click click) {
    String button = Integer.toString(click.button().number());
    switch (click.press()) {
      case DOWN -> add("mousedown", button);
      case UP -> add("mouseup", button);
      case CLICK ->
          add("click", "--repeat", Integer.toString(click.count()), "--delay", "0", button);
    }
  }

  private void wheel(int delta, int positive, int negative) {
    if (delta != 0) {
      add(
          "click",
          "--repeat",
          Integer.toString(Math.abs(delta)),
          "--delay",
          "0",
          Integer.toString(delta > 0 ? positive : negative));
    }
  }

  private void drag(ScreenAction.Drag drag) {
    String button = Integer.toString(drag.button().number());
    add("mousedown", button);
    sleep(drag.delay());
    List<Point> path = drag.path();
    if (drag.smooth()) {
      double total = 0;
      for (int i = 1; i < path.size(); i++) {
        total += distance(path.get(i - 1), path.get(i));
      }
      Duration all = drag.duration().orElse(Curve.defaultDuration(total));
      for (int i = 1; i < path.size(); i++) {
        double share =
            total == 0 ? 1.0 / (path.size() - 1) : distance(path.get(i - 1), path.get(i)) / total;
        glide(path.get(i - 1), path.get(i), Optional.of(scale(all, share)));
      }
    } else {
      for (int i = 1; i < path.size(); i++) {
        Point from = path.get(i - 1);
        Point to = path.get(i);
        for (int step = 1; step <= drag.stepsPerSegment(); step++) {
          move(
              new Point(
                  from.x() + (to.x() - from.x()) * step / drag.stepsPerSegment(),
                  from.y() + (to.y() - from.y()) * step / drag.stepsPerSegment()));
          sleep(drag.stepDelay());
        }
      }
    }
    add("mouseup", button);
  }

  private void keys(ScreenAction.PressKeys keys) {
    List<String> names = KeyNames.forXdotool(keys.keys());
    if (keys.duration().isZero()) {
      add("key", "--delay", "0");
      args.addAll(names);
      return;
    }
    add("keydown", "--delay", "0");
    args.addAll(names);
    sleep(keys.duration());
    add("keyup", "--delay", "0");
    args.addAll(reversed(names));
  }

  private void glide(Point from, Point to, Optional<Duration> duration) {
    List<Point> points = Curve.between(from, to);
    Duration all = duration.orElse(Curve.defaultDuration(distance(from, to)));
    Duration step = scale(all, 1.0 / points.size());
    for (Point point : points) {
      move(point);
      sleep(step);
    }
  }

  private void hold(List<String> keys, Runnable body) {
    List<String> names = KeyNames.forXdotool(keys);
    if (!names.isEmpty()) {
      add("keydown", "--delay", "0");
      args.addAll(names);
    }
    body.run();
    if (!names.isEmpty()) {
      add("keyup", "--delay", "0");
      args.addAll(reversed(names));
    }
  }

  private void move(Point to) {
    add("mousemove", Integer.toString(to.x()), Integer.toString(to.y()));
  }

  private void sleep(Duration duration) {
    if (!duration.isZero()) {
      add("sleep", String.format(Locale.ROOT, "%.3f", duration.toNanos() / 1e9));
      waits = waits.plus(duration);
    }
  }

  private void add(String... words) {
    args.addAll(List.of(words));
  }

  private static List<String> reversed(List<String> keys) {
    List<String> copy = new ArrayList<>(keys);
    Collections.reverse(copy);
    return copy;
  }

  private static Duration scale(Duration duration, double factor) {
    return Duration.ofNanos(Math.round(duration.toNanos() * factor));
  }

  static double distance(Point a, Point b) {
    return Math.hypot(b.x() - a.x(), b.y() - a.y());
  }
}
