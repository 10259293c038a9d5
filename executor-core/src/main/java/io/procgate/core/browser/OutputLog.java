package io.procgate.core.browser;

import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A program's output, line by line, in a file of the server's that {@code logs/stream} follows.
 * Past its size limit the file starts again from empty, which a follower sees as a truncation: what
 * the log keeps is bounded, and a follower misses nothing but what came before it started. Appended
 * on the executor's loop, one short write a line; a failure to write is logged once and the rest
 * dropped.
 */
final class OutputLog implements AutoCloseable {
  private static final Logger LOG = System.getLogger(OutputLog.class.getName());
  static final long MAX_BYTES = 8L << 20;

  private final Path file;
  private FileChannel out;
  private boolean done;

  /** Made at once, empty, so that a follower finds it before the program says anything. */
  OutputLog(Path file) {
    this.file = file;
    try {
      out =
          FileChannel.open(
              file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      LOG.log(Level.WARNING, "cannot make " + file + "; the program's output is not kept", e);
      done = true;
    }
  }

  synchronized void append(String line) {
    if (done) {
      return;
    }
    try {
      ByteBuffer bytes = StandardCharsets.UTF_8.encode(line + "\n");
      if (out.size() + bytes.remaining() > MAX_BYTES) {
        out.truncate(0);
      }
      while (bytes.hasRemaining()) {
        out.write(bytes);
      }
    } catch (IOException e) {
      LOG.log(Level.WARNING, "cannot write " + file + "; its further lines are dropped", e);
      close();
    }
  }

  @Override
  public synchronized void close() {
    done = true;
    if (out != null) {
      try {
        out.close();
      } catch (IOException e) {
        // Appends only: nothing is lost that a close would keep.
      }
    }
  }
}
