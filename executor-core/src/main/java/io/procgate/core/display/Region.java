package io.procgate.core.display;

/** A rectangle of the screen: its top-left corner and its size, in pixels. */
public record Region(int x, int y, int width, int height) {}
