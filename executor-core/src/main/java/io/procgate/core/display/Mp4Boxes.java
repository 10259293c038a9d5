package io.procgate.core.display;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Follows the top-level boxes of a fragmented MP4 stream as its bytes go by, to know where the last
 * whole fragment ends. The stream cut there is a whole video, cut anywhere else it is not: a
 * recording killed midway, or stopped at a size limit, keeps what ends there. A fragment is a
 * {@code moof} box and the {@code mdat} after it, so a cut right after a {@code moof} is no place
 * to end. Not thread-safe.
 */
final class Mp4Boxes {
  private static final int HEADER = 8;
  private static final int LARGE_HEADER = 16;

  private final byte[] header = new byte[LARGE_HEADER];
  private int headerLength;
  private long offset;
  // Where the box being read ends, once its header is read; -1 between boxes.
  private long boxEnd = -1;
  private String type = "";
  private long wholeEnd;
  private int fragments;
  private boolean broken;

  /** Follows {@code data}, the stream's next bytes; leaves its position as it was. */
  void follow(ByteBuffer data) {
    ByteBuffer bytes = data.duplicate();
    while (bytes.hasRemaining() && !broken) {
      if (boxEnd < 0) {
        readHeader(bytes);
      } else {
        int skip = (int) Math.min(bytes.remaining(), boxEnd - offset);
        bytes.position(bytes.position() + skip);
        offset += skip;
      }
      if (boxEnd >= 0 && offset == boxEnd) {
        if (type.equals("mdat")) {
          fragments++;
        }
        if (!type.equals("moof")) {
          wholeEnd = boxEnd;
        }
        boxEnd = -1;
      }
    }
  }

  private void readHeader(ByteBuffer bytes) {
    int wanted = headerLength < HEADER ? HEADER : LARGE_HEADER;
    while (headerLength < wanted && bytes.hasRemaining()) {
      header[headerLength++] = bytes.get();
      offset++;
    }
    if (headerLength < wanted) {
      return;
    }
    long size = ByteBuffer.wrap(header, 0, HEADER).getInt() & 0xFFFFFFFFL;
    if (size == 1 && wanted == HEADER) {
      // A 64-bit size follows the type.
      return;
    }
    if (size == 1) {
      size = ByteBuffer.wrap(header, HEADER, 8).getLong();
    }
    // Size 0 (up to the end of the file) is not known while the stream runs, nor is a box smaller
    // than its own header.
    if (size < headerLength) {
      broken = true;
      return;
    }
    boxEnd = offset - headerLength + size;
    type = new String(header, 4, 4, StandardCharsets.ISO_8859_1);
    headerLength = 0;
  }

  /** Where the last whole box ends: how much of the stream is a whole video. */
  long wholeEnd() {
    return wholeEnd;
  }

  /** How many fragments' media have been read whole. */
  int fragments() {
    return fragments;
  }
}
