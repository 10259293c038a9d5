package io.procgate.core.display;

/** A position on the screen, in pixels from its top-left corner. */
public record Point(int x, int y) {}
