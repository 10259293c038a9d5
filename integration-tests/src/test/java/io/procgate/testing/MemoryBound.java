package io.procgate.testing;

/**
 * The memory formula of docs/operations.md for one load: the heap to give the server ({@code
 * -Xmx}), and the resident memory it then stays under. Heap: 1.5 x (64 MiB + per running exec its
 * captured output and 0.5 MiB for the answer being written, per spawned process its output buffer,
 * per open stream 0.5 MiB, per file transfer 2 MiB). Resident: that heap, plus 192 MiB (classes,
 * compiled code, threads, the collector), plus 1.5 x the bytes in Netty's pooled direct buffers (an
 * exec answer's JSON is 4/3 of its output; a stream holds 1/3 MiB, a file transfer 1/2 MiB).
 */
public final class MemoryBound {
  private static final long MIB = 1024 * 1024;

  private double heapMib = 64;
  private double directMib;

  /** {@code count} execs running at once, each capturing {@code outputMib} of output. */
  public MemoryBound execs(int count, double outputMib) {
    heapMib += count * (outputMib + 0.5);
    directMib += count * outputMib * 4 / 3;
    return this;
  }

  /** {@code count} spawned processes, each with an output buffer of {@code bufferMib}. */
  public MemoryBound spawned(int count, double bufferMib) {
    heapMib += count * bufferMib;
    return this;
  }

  /** {@code count} output streams open at once. */
  public MemoryBound streams(int count) {
    heapMib += count * 0.5;
    directMib += count / 3.0;
    return this;
  }

  /**
   * {@code count} file transfers at once (read, write, upload, zip): each holds a batch for the
   * disk and a piece of the request or the zip in the heap, and Netty's buffers for its connection.
   */
  public MemoryBound transfers(int count) {
    heapMib += count * 2;
    directMib += count * 0.5;
    return this;
  }

  /** The {@code -Xmx} in MiB. */
  public long heapMib() {
    return (long) (heapMib * 1.5);
  }

  /** The resident memory the server stays under with that heap, in bytes. */
  public long residentBytes() {
    return (heapMib() + (long) (192 + 1.5 * directMib)) * MIB;
  }

  /** The bound as docs/operations.md writes it. */
  public String describe() {
    return "-Xmx " + heapMib() + " MiB + " + (long) (192 + 1.5 * directMib) + " MiB";
  }
}
