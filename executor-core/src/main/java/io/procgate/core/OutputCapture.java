package io.procgate.core;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Keeps the first {@code cap} bytes of a stream and counts the rest. Loop thread only.
 *
 * <p>Bytes are packed into fixed blocks rather than kept as read: a process writing small pieces
 * would otherwise cost an array header per piece, and one array of the cap's size would be a
 * humongous allocation to the collector. The first block starts at the size of the first piece (at
 * least 256 bytes) and grows by doubling up to a whole block, because most executions write a few
 * bytes, and a whole block for each would be nearly all the garbage an exec makes. The result
 * shares the blocks, so what an execution holds stays under its cap plus one block.
 */
final class OutputCapture {
  static final int BLOCK_SIZE = 64 * 1024;
  private static final int FIRST_BLOCK_MIN = 256;

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
      int wanted = Math.min(data.remaining(), cap - kept);
      byte[] block = room(wanted);
      int inBlock = kept % BLOCK_SIZE;
      int length = Math.min(wanted, block.length - inBlock);
      data.get(block, inBlock, length);
      kept += length;
    }
  }

  /** The block with room for the next of {@code wanted} bytes, which the cap still allows. */
  private byte[] room(int wanted) {
    int largest = Math.min(BLOCK_SIZE, cap);
    if (blocks.isEmpty()) {
      blocks.add(new byte[Math.min(largest, Math.max(FIRST_BLOCK_MIN, wanted))]);
    }
    int last = blocks.size() - 1;
    byte[] block = blocks.get(last);
    if (kept - last * BLOCK_SIZE < block.length) {
      return block;
    }
    if (block.length < BLOCK_SIZE) {
      // Only the first block is ever short and full with room under the cap; later ones are
      // short only at the cap, where nothing more is kept.
      byte[] grown =
          Arrays.copyOf(block, Math.min(largest, Math.max(2 * block.length, kept + wanted)));
      blocks.set(last, grown);
      return grown;
    }
    byte[] next = new byte[Math.min(BLOCK_SIZE, cap - kept)];
    blocks.add(next);
    return next;
  }

  /** Bytes of memory the blocks take. */
  long allocated() {
    return blocks.stream().mapToLong(block -> block.length).sum();
  }

  CapturedOutput result() {
    return new CapturedOutput(blocks, BLOCK_SIZE, kept, total);
  }
}
