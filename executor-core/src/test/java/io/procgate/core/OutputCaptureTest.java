package io.procgate.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
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
  void aFewBytesTakeAFewHundredBytesNotABlock() throws Exception {
    OutputCapture capture = new OutputCapture(10 * BLOCK);
    capture.append(ByteBuffer.wrap("hello\n".getBytes(StandardCharsets.US_ASCII)));

    assertThat(capture.allocated()).isLessThanOrEqualTo(256);
    assertThat(capture.result().bytes()).asString(StandardCharsets.US_ASCII).isEqualTo("hello\n");
  }

  @Test
  void theFirstBlockGrowsToAWholeOneThenWholeOnesFollow() throws Exception {
    byte[] written = new byte[2 * BLOCK + 1];
    new Random(11).nextBytes(written);
    OutputCapture capture = new OutputCapture(10 * BLOCK);
    for (int at = 0; at < written.length; at += 100) {
      capture.append(ByteBuffer.wrap(written, at, Math.min(100, written.length - at)));
      if (at + 100 <= BLOCK) {
        assertThat(capture.allocated()).isLessThanOrEqualTo(Math.max(256, 2L * (at + 100)));
      }
    }

    assertThat(capture.allocated()).isEqualTo(3L * BLOCK);
    assertThat(capture.result().bytes()).isEqualTo(written);
  }

  @Test
  void aCapBelowTheFirstBlockIsAllThatIsTaken() throws Exception {
    OutputCapture capture = new OutputCapture(10);
    capture.append(ByteBuffer.wrap("abcdef".getBytes(StandardCharsets.US_ASCII)));
    capture.append(ByteBuffer.wrap("ghijkl".getBytes(StandardCharsets.US_ASCII)));

    assertThat(capture.allocated()).isEqualTo(10);
    CapturedOutput output = capture.result();
    assertThat(output.bytes()).asString(StandardCharsets.US_ASCII).isEqualTo("abcdefghij");
    assertThat(output.totalBytes()).isEqualTo(12);
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
