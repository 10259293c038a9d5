package io.procgate.core;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One output stream of a synchronous execution, up to the configured cap: the first {@link #size()}
 * bytes of the {@link #totalBytes()} the process wrote. Immutable.
 *
 * <p>The bytes stay in the blocks they were captured in; {@link #open()} reads them without
 * copying, {@link #bytes()} copies them into one array.
 */
public final class CapturedOutput {
  private final List<byte[]> blocks;
  private final int blockSize;
  private final int size;
  private final long totalBytes;

  CapturedOutput(List<byte[]> blocks, int blockSize, int size, long totalBytes) {
    this.blocks = List.copyOf(blocks);
    this.blockSize = blockSize;
    this.size = size;
    this.totalBytes = totalBytes;
  }

  /** Bytes kept. */
  public int size() {
    return size;
  }

  /** Everything the process wrote, kept or not. */
  public long totalBytes() {
    return totalBytes;
  }

  public boolean truncated() {
    return totalBytes > size;
  }

  /** A stream of the kept bytes. */
  public InputStream open() {
    List<InputStream> parts = new ArrayList<>(blocks.size());
    for (int i = 0; i < blocks.size(); i++) {
      parts.add(new ByteArrayInputStream(blocks.get(i), 0, blockLength(i)));
    }
    return new SequenceInputStream(Collections.enumeration(parts));
  }

  /** A copy of the kept bytes. */
  public byte[] bytes() {
    byte[] all = new byte[size];
    for (int i = 0; i < blocks.size(); i++) {
      System.arraycopy(blocks.get(i), 0, all, i * blockSize, blockLength(i));
    }
    return all;
  }

  private int blockLength(int index) {
    return Math.min(blockSize, size - index * blockSize);
  }
}
