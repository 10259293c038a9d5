package io.procgate.core.display;

/** A mouse button, as the X server numbers it. */
public enum MouseButton {
  LEFT(1),
  MIDDLE(2),
  RIGHT(3),
  BACK(8),
  FORWARD(9);

  private final int number;

  MouseButton(int number) {
    this.number = number;
  }

  int number() {
    return number;
  }
}
