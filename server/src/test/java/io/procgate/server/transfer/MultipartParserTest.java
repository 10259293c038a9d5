package io.procgate.server.transfer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.procgate.server.error.ApiException;
import io.procgate.server.error.ErrorCode;
import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MultipartParserTest {
  private static final String BOUNDARY = "----formdata-undici-0123456789";

  /** What the parser reported, part by part. */
  private static final class Recorded implements MultipartParser.Parts {
    final List<String> names = new ArrayList<>();
    final List<Optional<String>> filenames = new ArrayList<>();
    final List<byte[]> contents = new ArrayList<>();
    private ByteArrayOutputStream current;
    boolean open;

    @Override
    public void beginPart(String name, Optional<String> filename) {
      assertThat(open).isFalse();
      open = true;
      names.add(name);
      filenames.add(filename);
      current = new ByteArrayOutputStream();
    }

    @Override
    public void partContent(Buffer bytes) {
      assertThat(open).isTrue();
      current.writeBytes(bytes.getBytes());
    }

    @Override
    public void endPart() {
      assertThat(open).isTrue();
      open = false;
      contents.add(current.toByteArray());
    }
  }

  private static byte[] body(byte[] file) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(
        ("preamble to ignore\r\n--"
                + BOUNDARY
                + "\r\nContent-Disposition: form-data; name=\"files[0][dest_path]\"\r\n\r\n"
                + "/tmp/a b.txt\r\n--"
                + BOUNDARY
                + "\r\nContent-Disposition: form-data; name=\"files[0][file]\";"
                + " filename=\"a \\\"quoted\\\".bin\"\r\nContent-Type: application/octet-stream"
                + "\r\n\r\n")
            .getBytes(StandardCharsets.UTF_8));
    body.writeBytes(file);
    body.writeBytes(
        ("\r\n--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"empty\"\r\n\r\n\r\n--")
            .getBytes(StandardCharsets.UTF_8));
    body.writeBytes((BOUNDARY + "--\r\nepilogue").getBytes(StandardCharsets.UTF_8));
    return body.toByteArray();
  }

  /** Content that looks like the delimiter, all but its last byte, in several places. */
  private static byte[] trickyFile() {
    byte[] random = new byte[3000];
    new Random(7).nextBytes(random);
    ByteArrayOutputStream file = new ByteArrayOutputStream();
    file.write(random, 0, 1000);
    file.writeBytes(("\r\n--" + BOUNDARY.substring(0, BOUNDARY.length() - 1)).getBytes());
    file.write(random, 1000, 1000);
    file.writeBytes("\r\r\n-\r\n--".getBytes());
    file.write(random, 2000, 1000);
    file.writeBytes("\r".getBytes());
    return file.toByteArray();
  }

  private static Recorded parse(byte[] body, int... cuts) {
    Recorded parts = new Recorded();
    MultipartParser parser = new MultipartParser(BOUNDARY, parts);
    int from = 0;
    for (int cut : cuts) {
      parser.feed(Buffer.buffer().appendBytes(body, from, cut - from));
      from = cut;
    }
    parser.feed(Buffer.buffer().appendBytes(body, from, body.length - from));
    parser.finish();
    return parts;
  }

  private static void assertParts(Recorded parts, byte[] file) {
    assertThat(parts.names).containsExactly("files[0][dest_path]", "files[0][file]", "empty");
    assertThat(parts.filenames)
        .containsExactly(Optional.empty(), Optional.of("a \"quoted\".bin"), Optional.empty());
    assertThat(new String(parts.contents.get(0), StandardCharsets.UTF_8)).isEqualTo("/tmp/a b.txt");
    assertThat(parts.contents.get(1)).isEqualTo(file);
    assertThat(parts.contents.get(2)).isEmpty();
    assertThat(parts.open).isFalse();
  }

  @Test
  void readsEveryPartInOnePiece() {
    byte[] file = trickyFile();
    assertParts(parse(body(file)), file);
  }

  @Test
  void readsTheSameWhereverTheInputIsCut() {
    byte[] file = trickyFile();
    byte[] body = body(file);
    for (int cut = 1; cut < body.length; cut++) {
      assertParts(parse(body, cut), file);
    }
  }

  @Test
  void readsTheSameFromPiecesOfOneByte() {
    byte[] file = trickyFile();
    byte[] body = body(file);
    int[] cuts = new int[body.length - 1];
    for (int i = 0; i < cuts.length; i++) {
      cuts[i] = i + 1;
    }
    assertParts(parse(body, cuts), file);
  }

  @Test
  void refusesABodyThatEndsEarly() {
    byte[] body = body(new byte[10]);
    Recorded parts = new Recorded();
    MultipartParser parser = new MultipartParser(BOUNDARY, parts);
    parser.feed(Buffer.buffer().appendBytes(body, 0, body.length - 20));
    assertThatThrownBy(parser::finish).satisfies(MultipartParserTest::invalidMultipart);
  }

  @Test
  void refusesAPartWithoutAName() {
    byte[] body =
        ("--" + BOUNDARY + "\r\nContent-Type: text/plain\r\n\r\nx\r\n--" + BOUNDARY + "--")
            .getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> parse(body)).satisfies(MultipartParserTest::invalidMultipart);
  }

  @Test
  void refusesHeadersWithoutEnd() {
    byte[] body =
        ("--" + BOUNDARY + "\r\nX: " + "y".repeat(20_000)).getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> parse(body)).satisfies(MultipartParserTest::invalidMultipart);
  }

  @Test
  void refusesGarbageAfterABoundary() {
    byte[] body = ("--" + BOUNDARY + "xx\r\n").getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> parse(body)).satisfies(MultipartParserTest::invalidMultipart);
  }

  @Test
  void findsTheBoundaryOfAContentType() {
    assertThat(MultipartParser.boundary("multipart/form-data; boundary=" + BOUNDARY))
        .isEqualTo(BOUNDARY);
    assertThat(MultipartParser.boundary("Multipart/Form-Data;boundary=\"a b\"; charset=utf-8"))
        .isEqualTo("a b");
    for (String refused :
        new String[] {
          null,
          "application/json",
          "multipart/form-data",
          "multipart/form-data; boundary=",
          "multipart/form-data; boundary=" + "x".repeat(71)
        }) {
      assertThatThrownBy(() -> MultipartParser.boundary(refused))
          .satisfies(MultipartParserTest::invalidMultipart);
    }
  }

  private static void invalidMultipart(Throwable e) {
    assertThat(e).isInstanceOf(ApiException.class);
    assertThat(((ApiException) e).code()).isEqualTo(ErrorCode.INVALID_MULTIPART);
  }
}
