package io.procgate.core;

/** A terminal's size in character cells, each side 1 to 65535. */
public record TerminalSize(int rows, int cols) {
  public static final TerminalSize DEFAULT = new TerminalSize(24, 80);

  public TerminalSize {
    if (rows < 1 || rows > 65535 || cols < 1 || cols > 65535) {
      throw new ProcessException(
          ProcessException.Kind.INVALID_REQUEST,
          "terminal size must be 1 to 65535 rows and columns, got " + rows + "x" + cols);
    }
  }
}
