package io.procgate.core.files;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a file's lines as it grows, as {@code tail -f} does: each read takes the whole lines added
 * since the last, and a file that shrank (truncated, or a log started again) is read again from its
 * start. A line longer than {@link #MAX_LINE} bytes is cut there, the rest of it dropped. Not
 * thread-safe: one reader.
 */
public final class FileTail implements AutoCloseable {
  public static final int MAX_LINE = 64 * 1024;
  private static final int CHUNK = 64 * 1024;

  private final FileChannel in;
  private final ByteBuffer chunk = ByteBuffer.allocate(CHUNK);
  private final byte[] line = new byte[MAX_LINE];
  private int lineLength;
  private long offset;
  private boolean atEnd;

  private FileTail(FileChannel in, long offset) {
    this.in = in;
    this.offset = offset;
  }

  /**
   * Opens {@code file}: an {@link OpenFile#path()} the caller holds open, or a file the server may
   * read.
   *
   * @param fromEnd start at the file's end, with the lines added from now on
   */
  public static FileTail open(Path file, boolean fromEnd) throws IOException {
    FileChannel in = FileChannel.open(file, StandardOpenOption.READ);
    return new FileTail(in, fromEnd ? in.size() : 0);
  }

  /**
   * The whole lines added since the last read, at most about {@code maxBytes} of them, without
   * their line breaks.
   */
  public List<String> read(int maxBytes) throws IOException {
    List<String> lines = new ArrayList<>();
    long size = in.size();
    if (size < offset) {
      offset = 0;
      lineLength = 0;
    }
    long budget = maxBytes;
    atEnd = false;
    while (budget > 0) {
      chunk.clear();
      int read = in.read(chunk, offset);
      if (read <= 0) {
        atEnd = true;
        break;
      }
      offset += read;
      budget -= read;
      for (int i = 0; i < read; i++) {
        byte b = chunk.get(i);
        if (b == '\n') {
          lines.add(new String(line, 0, lineLength, StandardCharsets.UTF_8));
          lineLength = 0;
        } else if (lineLength < MAX_LINE) {
          line[lineLength++] = b;
        }
      }
    }
    return lines;
  }

  /** Whether the last read reached the end of the file as it was. */
  public boolean atEnd() {
    return atEnd;
  }

  /** The last line, had it no line break yet; once the file is not followed any further. */
  public List<String> unfinished() {
    return lineLength == 0
        ? List.of()
        : List.of(new String(line, 0, lineLength, StandardCharsets.UTF_8));
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
