package io.procgate.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * A PNG of a few lines over shared axes, for the figures people would rather look at than read:
 * drawn with the JDK alone, so the benchmark needs no plotting tool on the machine.
 */
final class LineChart {
  /** One line: its label and its points, {@code x} ascending. */
  record Series(String label, double[] x, double[] y) {
    Series {
      if (x.length != y.length || x.length == 0) {
        throw new IllegalArgumentException(label + ": " + x.length + " x and " + y.length + " y");
      }
    }
  }

  private static final int WIDTH = 960;
  private static final int HEIGHT = 540;
  private static final int LEFT = 80;
  private static final int RIGHT = 24;
  private static final int TOP = 56;
  private static final int BOTTOM = 64;
  private static final Color[] COLOURS = {
    new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0x9467bd)
  };

  private final String title;
  private final String xLabel;
  private final String yLabel;
  private final List<Series> series = new ArrayList<>();

  LineChart(String title, String xLabel, String yLabel) {
    this.title = title;
    this.xLabel = xLabel;
    this.yLabel = yLabel;
  }

  LineChart add(Series line) {
    series.add(line);
    return this;
  }

  void write(Path file) throws IOException {
    if (series.isEmpty()) {
      throw new IllegalStateException(title + ": nothing to draw");
    }
    System.setProperty("java.awt.headless", "true");
    BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      draw(g);
    } finally {
      g.dispose();
    }
    Files.createDirectories(file.toAbsolutePath().getParent());
    ImageIO.write(image, "png", file.toFile());
  }

  private void draw(Graphics2D g) {
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(
        RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, WIDTH, HEIGHT);

    double xMin = Double.MAX_VALUE;
    double xMax = -Double.MAX_VALUE;
    double yMax = 0;
    for (Series line : series) {
      xMin = Math.min(xMin, line.x()[0]);
      xMax = Math.max(xMax, line.x()[line.x().length - 1]);
      for (double y : line.y()) {
        yMax = Math.max(yMax, y);
      }
    }
    double yStep = niceStep(yMax / 6);
    yMax = Math.ceil(yMax / yStep) * yStep;
    double xStep = niceStep((xMax - xMin) / 8);
    Plane plane = new Plane(xMin, xMax == xMin ? xMin + 1 : xMax, yMax == 0 ? 1 : yMax);

    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
    FontMetrics metrics = g.getFontMetrics();
    for (double y = 0; y <= yMax + yStep / 2; y += yStep) {
      int py = plane.py(y);
      g.setColor(new Color(0xe6e6e6));
      g.drawLine(LEFT, py, WIDTH - RIGHT, py);
      g.setColor(Color.DARK_GRAY);
      String tick = format(y, yStep);
      g.drawString(tick, LEFT - 8 - metrics.stringWidth(tick), py + metrics.getAscent() / 2);
    }
    for (double x = Math.ceil(xMin / xStep) * xStep; x <= xMax + xStep / 2; x += xStep) {
      int px = plane.px(x);
      g.setColor(new Color(0xe6e6e6));
      g.drawLine(px, TOP, px, HEIGHT - BOTTOM);
      g.setColor(Color.DARK_GRAY);
      String tick = format(x, xStep);
      g.drawString(tick, px - metrics.stringWidth(tick) / 2, HEIGHT - BOTTOM + 18);
    }
    g.setColor(Color.DARK_GRAY);
    g.drawRect(LEFT, TOP, WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM);
    g.drawString(
        xLabel, LEFT + (WIDTH - LEFT - RIGHT - metrics.stringWidth(xLabel)) / 2, HEIGHT - 18);
    Graphics2D vertical = (Graphics2D) g.create();
    vertical.rotate(-Math.PI / 2);
    vertical.drawString(
        yLabel, -(TOP + (HEIGHT - TOP - BOTTOM + metrics.stringWidth(yLabel)) / 2), 22);
    vertical.dispose();

    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
    g.setColor(Color.BLACK);
    g.drawString(title, LEFT, 30);

    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
    g.setStroke(new BasicStroke(2f));
    int legendY = TOP + 20;
    for (int i = 0; i < series.size(); i++) {
      Series line = series.get(i);
      g.setColor(COLOURS[i % COLOURS.length]);
      for (int p = 1; p < line.x().length; p++) {
        g.drawLine(
            plane.px(line.x()[p - 1]),
            plane.py(line.y()[p - 1]),
            plane.px(line.x()[p]),
            plane.py(line.y()[p]));
      }
      g.drawLine(LEFT + 16, legendY - 4, LEFT + 40, legendY - 4);
      g.setColor(Color.BLACK);
      g.drawString(line.label(), LEFT + 48, legendY);
      legendY += 20;
    }
  }

  /** The data's coordinates on the image. */
  private record Plane(double xMin, double xMax, double yMax) {
    int px(double x) {
      return LEFT + (int) Math.round((x - xMin) / (xMax - xMin) * (WIDTH - LEFT - RIGHT));
    }

    int py(double y) {
      return HEIGHT - BOTTOM - (int) Math.round(y / yMax * (HEIGHT - TOP - BOTTOM));
    }
  }

  /** 1, 2 or 5 times a power of ten, the nearest at or above {@code rough}. */
  private static double niceStep(double rough) {
    if (rough <= 0) {
      return 1;
    }
    double power = Math.pow(10, Math.floor(Math.log10(rough)));
    for (double factor : new double[] {1, 2, 5}) {
      if (factor * power >= rough) {
        return factor * power;
      }
    }
    return 10 * power;
  }

  private static String format(double value, double step) {
    int decimals = step >= 1 ? 0 : (int) Math.ceil(-Math.log10(step));
    return String.format(Locale.ROOT, "%." + decimals + "f", value);
  }
}
