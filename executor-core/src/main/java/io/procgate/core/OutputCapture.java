package io.procgate.core;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Keeps the first {@code cap} bytes of a stream and counts the rest. Loop thread only.
 *
 * <p>Bytes are packed into fixed blocks rather than kept as read: a process writing small pieces
 * would otherwise cost an array header per piece, and one array of the cap's size would be a
 * humongous allocation to the collector. The result shares the blocks, so what an execution holds
 * stays under its cap plus one block.
 */
final class OutputCapture {
  static final int BLOCK_SIZE = 64 * 1024;

  private final int cap;
  private final List<byte[]> blocks = new ArrayList<>();
  private int kept;
  private long total;

  OutputCapture(int cap) {
    this.cap = cap;
  }

  void append(ByteBuffer data) {
    total += data.remaining();
    while (data.hasRemaining() && kept < cap) {
      int inBlock = kept % BLOCK_SIZE;
      if (inBlock == 0) {
        blocks.add(new byte[Math.min(BLOCK_SIZE, cap - kept)]);
      }
      byte[] block = blocks.get(blocks.size() - 1);
      int length = Math.min(data.remaining(), block.length - inBlock);
      data.get(block, inBlock, length);
      kept += length;
    }
  }

  CapturedOutput result() {
    return new CapturedOutput(blocks, BLOCK_SIZE, kept, total);
  }
}
