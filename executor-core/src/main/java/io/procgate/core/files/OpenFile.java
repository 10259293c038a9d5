package io.procgate.core.files;

import io.procgate.core.files.FileException.Kind;
import io.procgate.core.internal.os.FileDescriptors;
import io.procgate.core.internal.os.OsException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A file opened with an account's rights. Whoever holds it can reach the very file that was opened
 * at {@link #path()}, {@code /proc/self/fd/<n>}: opening that path again never resolves the name
 * again, so a rename or a link swapped in since cannot redirect it. The server opens it so, as
 * itself, to send a file with {@code sendfile} and to write one through Vert.x. Closing is
 * idempotent.
 */
public final class OpenFile implements AutoCloseable {
  private static final int SNAPSHOT_BUFFER_BYTES = 64 * 1024;
  private final int fd;
  private final Path opened;
  private final AtomicBoolean closed = new AtomicBoolean();

  private OpenFile(int fd, Path opened) {
    this.fd = fd;
    this.opened = opened;
  }

  /** Opens an existing file for reading, with the calling thread's rights. */
  static OpenFile open(Path file) throws IOException {
    return new OpenFile(call(file, () -> FileDescriptors.openForReading(file.toString())), file);
  }

  /** Creates a file that must not exist yet, mode 0600, for writing. */
  static OpenFile create(Path file) throws IOException {
    return new OpenFile(
        call(file, () -> FileDescriptors.createExclusively(file.toString(), 0600)), file);
  }

  /**
   * What {@code source} holds, read from its start to its end into an unnamed file of the temporary
   * directory, which goes when this is closed: for a file whose size is only known once it has been
   * read.
   *
   * @throws FileException when it holds more than {@code limit} bytes
   */
  static OpenFile snapshot(OpenFile source, long limit) throws IOException {
    Path copy = Files.createTempFile("procgate-", ".read");
    try {
      try (FileChannel in = FileChannel.open(source.path(), StandardOpenOption.READ);
          FileChannel out = FileChannel.open(copy, StandardOpenOption.WRITE)) {
        ByteBuffer buffer = ByteBuffer.allocate(SNAPSHOT_BUFFER_BYTES);
        long total = 0;
        while (in.read(buffer.clear()) >= 0) {
          total += buffer.position();
          if (total > limit) {
            throw new FileException(
                Kind.NOT_A_REGULAR_FILE,
                source.name()
                    + " does not say its size, and holds more than "
                    + limit
                    + " bytes: read it with a process instead");
          }
          buffer.flip();
          while (buffer.hasRemaining()) {
            out.write(buffer);
          }
        }
      }
      return open(copy);
    } finally {
      Files.deleteIfExists(copy);
    }
  }

  private interface Open {
    int fd();
  }

  private static int call(Path file, Open open) throws IOException {
    try {
      return open.fd();
    } catch (OsException e) {
      throw switch (e.errno()) {
        case 2 -> new NoSuchFileException(file.toString());
        case 13, 1 -> new AccessDeniedException(file.toString());
        case 17 -> new FileAlreadyExistsException(file.toString());
        default -> new FileSystemException(file.toString(), null, OsException.describe(e.errno()));
      };
    }
  }

  /** The opened file, by descriptor: {@code /proc/self/fd/<n>}. */
  public Path path() {
    return Path.of("/proc/self/fd/" + fd);
  }

  /** The name it was opened by. */
  public Path name() {
    return opened;
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      FileDescriptors.close(fd);
    }
  }

  int fd() {
    if (closed.get()) {
      throw new FileException(Kind.SYSTEM_FAILURE, opened + " was closed");
    }
    return fd;
  }
}
