package io.procgate.bench;

import java.util.Arrays;
import java.util.List;

/** Latencies of repeated calls, in nanoseconds. */
final class Latencies {
  private final long[] nanos;
  private int count;

  Latencies(int capacity) {
    nanos = new long[capacity];
  }

  void add(long value) {
    nanos[count++] = value;
  }

  /** All the latencies of {@code parts}, in the order they were added. */
  static Latencies of(List<Latencies> parts) {
    Latencies all = new Latencies(parts.stream().mapToInt(part -> part.count).sum());
    for (Latencies part : parts) {
      System.arraycopy(part.nanos, 0, all.nanos, all.count, part.count);
      all.count += part.count;
    }
    return all;
  }

  /** The distribution as a line: the latency in milliseconds at each percentile up to p99.5. */
  LineChart.Series percentiles(String label) {
    double[] x = new double[200];
    double[] y = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      x[i] = (i + 1) * 0.4975;
      y[i] = percentileMillis(x[i]);
    }
    return new LineChart.Series(label, x, y);
  }

  /**
   * The calls in the order they were made: the median of each {@code window} calls in milliseconds,
   * placed at the window's last call.
   */
  LineChart.Series movingMedian(String label, int window) {
    int points = count / window;
    double[] x = new double[points];
    double[] y = new double[points];
    for (int i = 0; i < points; i++) {
      long[] slice = Arrays.copyOfRange(nanos, i * window, (i + 1) * window);
      Arrays.sort(slice);
      x[i] = (i + 1) * window;
      y[i] = slice[window / 2] / 1e6;
    }
    return new LineChart.Series(label, x, y);
  }

  /** The {@code p}-th percentile in milliseconds. */
  double percentileMillis(double p) {
    long[] sorted = Arrays.copyOf(nanos, count);
    Arrays.sort(sorted);
    int index = (int) Math.min(sorted.length - 1, Math.ceil(p / 100.0 * sorted.length) - 1);
    return sorted[Math.max(0, index)] / 1e6;
  }
}
