package io.procgate.client.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseLineReaderTest {

  @Test
  void endsLinesAtLfCrAndCrlfEvenWhenSplitAcrossReads() throws IOException {
    String stream = "id:1\ndata:a\r\ndata:b\r\r:c\n\n";
    List<String> expected = List.of("id:1", "data:a", "data:b", "", ":c", "");
    assertThat(lines(new ByteArrayInputStream(bytes(stream)))).isEqualTo(expected);
    assertThat(lines(oneByteAtATime(bytes(stream)))).isEqualTo(expected);
  }

  @Test
  void readsLinesLongerThanItsBuffer() throws IOException {
    String longLine = "data:" + "x".repeat(300_000);
    assertThat(lines(oneByteAtATime(bytes(longLine + "\n\n" + longLine + "\r\n"))))
        .containsExactly(longLine, "", longLine);
  }

  @Test
  void dropsAnUnterminatedLastLine() throws IOException {
    assertThat(lines(new ByteArrayInputStream(bytes("data:a\n\ndata:cut"))))
        .containsExactly("data:a", "");
  }

  @Test
  void keepsMultiByteCharactersWhole() throws IOException {
    assertThat(lines(oneByteAtATime(bytes("data:é€😀\n")))).containsExactly("data:é€😀");
  }

  private static List<String> lines(InputStream in) throws IOException {
    SseLineReader reader = new SseLineReader(in);
    List<String> lines = new ArrayList<>();
    while (reader.next()) {
      lines.add(
          new String(reader.buffer(), reader.start(), reader.length(), StandardCharsets.UTF_8));
    }
    return lines;
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** The worst a network can do: every line split at every byte, CR and LF in separate reads. */
  private static InputStream oneByteAtATime(byte[] data) {
    return new ByteArrayInputStream(data) {
      @Override
      public synchronized int read(byte[] b, int off, int len) {
        return super.read(b, off, Math.min(len, 1));
      }
    };
  }
}
