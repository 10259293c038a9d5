package io.procgate.core;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** Keeps the first {@code cap} bytes of a stream and counts the rest. Loop thread only. */
final class OutputCapture {
  private final int cap;
  private final List<byte[]> chunks = new ArrayList<>();
  private int kept;
  private long total;

  OutputCapture(int cap) {
    this.cap = cap;
  }

  void append(ByteBuffer data) {
    int length = data.remaining();
    total += length;
    int room = cap - kept;
    if (room > 0) {
      byte[] chunk = new byte[Math.min(room, length)];
      data.get(chunk);
      chunks.add(chunk);
      kept += chunk.length;
    }
  }

  CapturedOutput result() {
    byte[] all = new byte[kept];
    int offset = 0;
    for (byte[] chunk : chunks) {
      System.arraycopy(chunk, 0, all, offset, chunk.length);
      offset += chunk.length;
    }
    return new CapturedOutput(all, total);
  }
}
