package io.procgate.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class OutputCaptureTest {
  private static final int BLOCK = OutputCapture.BLOCK_SIZE;

  @Test
  void keepsPiecesOfEverySizeAcrossBlockBoundariesInOrder() throws Exception {
    byte[] written = new byte[3 * BLOCK + 123];
    new Random(7).nextBytes(written);
    OutputCapture capture = new OutputCapture(10 * BLOCK);
    int[] pieces = {1, BLOCK - 1, 2, BLOCK, 7, BLOCK + 5};
    int at = 0;
    for (int i = 0; at < written.length; i++) {
      int length = Math.min(pieces[i % pieces.length], written.length - at);
      capture.append(ByteBuffer.wrap(written, at, length));
      at += length;
    }

    CapturedOutput output = capture.result();
    assertThat(output.size()).isEqualTo(written.length);
    assertThat(output.truncated()).isFalse();
    assertThat(output.bytes()).isEqualTo(written);
    try (InputStream in = output.open()) {
      assertThat(in.readAllBytes()).isEqualTo(written);
    }
  }

  @Test
  void keepsTheFirstCapBytesAndCountsTheRest() throws Exception {
    int cap = 2 * BLOCK + 10;
    OutputCapture capture = new OutputCapture(cap);
    byte[] piece = new byte[BLOCK / 2 + 1];
    for (int i = 0; i < 10; i++) {
      Arrays.fill(piece, (byte) i);
      capture.append(ByteBuffer.wrap(piece));
    }

    CapturedOutput output = capture.result();
    assertThat(output.size()).isEqualTo(cap);
    assertThat(output.totalBytes()).isEqualTo(10L * piece.length);
    assertThat(output.truncated()).isTrue();
    byte[] kept = output.bytes();
    assertThat(kept[0]).isEqualTo((byte) 0);
    assertThat(kept[cap - 1]).isEqualTo((byte) ((cap - 1) / piece.length));
    try (InputStream in = output.open()) {
      assertThat(in.readAllBytes()).isEqualTo(kept);
    }
  }

  @Test
  void nothingWrittenIsEmpty() throws Exception {
    CapturedOutput output = new OutputCapture(BLOCK).result();
    assertThat(output.bytes()).isEmpty();
    assertThat(output.truncated()).isFalse();
    try (InputStream in = output.open()) {
      assertThat(in.read()).isEqualTo(-1);
    }
  }
}
