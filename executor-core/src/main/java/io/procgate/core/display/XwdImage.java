package io.procgate.core.display;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A screen dump as {@code xwd} writes it (X Window Dump, version 7): a big-endian header, the
 * window's name, a colour map, then the pixels as the X server holds them. Only true-colour pixels
 * of 32 bits, which every 24-bit display gives, are read.
 */
final class XwdImage {
  private static final int VERSION = 7;
  private static final int Z_PIXMAP = 2;
  private static final int COLOR_ENTRY = 12;

  private final ByteBuffer pixels;
  private final int width;
  private final int height;
  private final int bytesPerLine;
  private final int redShift;
  private final int greenShift;
  private final int blueShift;

  private XwdImage(
      ByteBuffer pixels,
      int width,
      int height,
      int bytesPerLine,
      int redShift,
      int greenShift,
      int blueShift) {
    this.pixels = pixels;
    this.width = width;
    this.height = height;
    this.bytesPerLine = bytesPerLine;
    this.redShift = redShift;
    this.greenShift = greenShift;
    this.blueShift = blueShift;
  }

  static XwdImage read(byte[] dump) {
    ByteBuffer header = ByteBuffer.wrap(dump).order(ByteOrder.BIG_ENDIAN);
    if (dump.length < 100) {
      throw failed("a screen dump of " + dump.length + " bytes");
    }
    int headerSize = header.getInt(0);
    int version = header.getInt(4);
    int format = header.getInt(8);
    int width = header.getInt(16);
    int height = header.getInt(20);
    int byteOrder = header.getInt(28);
    int bitsPerPixel = header.getInt(44);
    int bytesPerLine = header.getInt(48);
    int red = header.getInt(56);
    int green = header.getInt(60);
    int blue = header.getInt(64);
    int colors = header.getInt(76);
    if (version != VERSION || format != Z_PIXMAP || bitsPerPixel != 32) {
      throw failed(
          "a screen dump of version "
              + version
              + ", format "
              + format
              + ", "
              + bitsPerPixel
              + " bits per pixel");
    }
    if (headerSize < 100 || width < 1 || height < 1 || colors < 0) {
      throw failed("a screen dump of " + width + "x" + height + " pixels");
    }
    long start = (long) headerSize + (long) colors * COLOR_ENTRY;
    if (start + (long) bytesPerLine * height > dump.length || bytesPerLine < (long) width * 4) {
      throw failed("a screen dump shorter than its " + width + "x" + height + " pixels");
    }
    ByteBuffer pixels =
        ByteBuffer.wrap(dump, (int) start, bytesPerLine * height)
            .slice()
            .order(byteOrder == 0 ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
    return new XwdImage(
        pixels,
        width,
        height,
        bytesPerLine,
        Integer.numberOfTrailingZeros(red),
        Integer.numberOfTrailingZeros(green),
        Integer.numberOfTrailingZeros(blue));
  }

  int width() {
    return width;
  }

  int height() {
    return height;
  }

  /** Row {@code y}'s pixels from {@code x}, {@code count} of them, as R, G, B bytes. */
  void rgbRow(int y, int x, int count, byte[] into) {
    int offset = y * bytesPerLine + x * 4;
    for (int i = 0; i < count; i++) {
      int pixel = pixels.getInt(offset + i * 4);
      into[i * 3] = (byte) (pixel >>> redShift);
      into[i * 3 + 1] = (byte) (pixel >>> greenShift);
      into[i * 3 + 2] = (byte) (pixel >>> blueShift);
    }
  }

  private static DisplayException failed(String what) {
    return new DisplayException(
        DisplayException.Kind.FAILED, "xwd wrote " + what + ", not a screen");
  }
}
