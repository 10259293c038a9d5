package io.procgate.core.display;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A hand's path between two points: a cubic Bézier curve bowed to one side, in steps that start and
 * end slower than they go in the middle.
 */
final class Curve {
  private static final int MIN_STEPS = 8;
  private static final int MAX_STEPS = 100;
  private static final double PIXELS_PER_STEP = 8;
  private static final double BOW = 0.15;

  private Curve() {}

  /** The points after {@code from} up to and with {@code to}. */
  static List<Point> between(Point from, Point to) {
    double dx = to.x() - from.x();
    double dy = to.y() - from.y();
    double length = Math.hypot(dx, dy);
    int steps = (int) Math.max(MIN_STEPS, Math.min(MAX_STEPS, length / PIXELS_PER_STEP));
    // Bowed to the left of the direction of travel, by a fixed share of the distance.
    double nx = -dy * BOW;
    double ny = dx * BOW;
    double c1x = from.x() + dx / 3 + nx;
    double c1y = from.y() + dy / 3 + ny;
    double c2x = from.x() + 2 * dx / 3 + nx;
    double c2y = from.y() + 2 * dy / 3 + ny;
    List<Point> points = new ArrayList<>(steps);
    for (int i = 1; i <= steps; i++) {
      double linear = (double) i / steps;
      double t = linear * linear * (3 - 2 * linear);
      double u = 1 - t;
      double x =
          u * u * u * from.x() + 3 * u * u * t * c1x + 3 * u * t * t * c2x + t * t * t * to.x();
      double y =
          u * u * u * from.y() + 3 * u * u * t * c1y + 3 * u * t * t * c2y + t * t * t * to.y();
      points.add(new Point((int) Math.round(x), (int) Math.round(y)));
    }
    points.set(points.size() - 1, to);
    return points;
  }

  /** How long a hand takes over {@code pixels}: 150 ms to 1.5 s. */
  static Duration defaultDuration(double pixels) {
    return Duration.ofMillis(Math.round(Math.max(150, Math.min(1500, pixels * 1.5))));
  }
}
