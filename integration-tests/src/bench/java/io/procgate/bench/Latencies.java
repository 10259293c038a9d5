package io.procgate.bench;

import java.util.Arrays;

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

  /** The {@code p}-th percentile in milliseconds. */
  double percentileMillis(double p) {
    long[] sorted = Arrays.copyOf(nanos, count);
    Arrays.sort(sorted);
    int index = (int) Math.min(sorted.length - 1, Math.ceil(p / 100.0 * sorted.length) - 1);
    return sorted[Math.max(0, index)] / 1e6;
  }
}
