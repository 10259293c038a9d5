package io.procgate.core.internal.io;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A program's last few lines of output, each cut at 300 characters, for the message that says why
 * it failed. Thread-safe.
 */
public final class LastLines {
  private static final int MAX_LENGTH = 300;

  private final int kept;
  private final Deque<String> lines = new ArrayDeque<>();

  public LastLines(int kept) {
    this.kept = kept;
  }

  public synchronized void add(String line) {
    if (lines.size() == kept) {
      lines.removeFirst();
    }
    lines.addLast(line.length() > MAX_LENGTH ? line.substring(0, MAX_LENGTH) + "..." : line);
  }

  /** {@code prefix} and the lines joined with {@code " | "}; empty when there are none. */
  public synchronized String joined(String prefix) {
    return lines.isEmpty() ? "" : prefix + String.join(" | ", lines);
  }
}
