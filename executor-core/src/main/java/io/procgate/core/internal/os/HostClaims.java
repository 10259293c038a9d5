package io.procgate.core.internal.os;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Numbers claimed host-wide, so that two servers on one host (or two nodes of the test kubelet)
 * never hand out the same uid or network. A claim is a file of root's directory, named by its
 * number, that the claiming process holds a lock on: the kernel drops the lock when the process
 * dies, however it dies, and the file then is stale, with the note its holder wrote in it. The
 * directory is root's alone, mode 0700: nobody else can plant a file or link in it. Thread-safe.
 */
public final class HostClaims implements AutoCloseable {
  /** A claim a process that has gone left, and what it noted. */
  public record Stale(int number, String note) {}

  /** Where the servers of a host keep their claims, a directory each for a kind of number. */
  public static final Path HOST = Path.of("/run/procgate");

  private static final int LOCK_EX = 2;
  private static final int LOCK_NB = 4;

  private final Path dir;
  private final Map<Integer, Integer> held = new HashMap<>();

  /**
   * @throws IOException when the directory cannot be made
   */
  public HostClaims(Path dir) throws IOException {
    this.dir = Files.createDirectories(dir);
    Files.setAttribute(dir, "unix:mode", 0700);
  }

  /** Claims {@code number}, noting {@code note} in it; false when another process holds it. */
  public synchronized boolean claim(int number, String note) {
    if (held.containsKey(number)) {
      return false;
    }
    Path file = dir.resolve(Integer.toString(number));
    int claim = lock(file);
    if (claim < 0) {
      return false;
    }
    try {
      Files.writeString(file, note + "\n", StandardCharsets.UTF_8);
    } catch (IOException e) {
      FileDescriptors.close(claim);
      return false;
    }
    held.put(number, claim);
    return true;
  }

  /** Gives {@code number} back, if this process holds it. */
  public synchronized void release(int number) {
    Integer claim = held.remove(number);
    if (claim != null) {
      // Removed while locked: whoever opens the name next makes a new file.
      deleteQuietly(dir.resolve(Integer.toString(number)));
      FileDescriptors.close(claim);
    }
  }

  /** Gives back every number this holds. */
  @Override
  public synchronized void close() {
    List.copyOf(held.keySet()).forEach(this::release);
  }

  /** The claims processes that have gone left, removed as they are listed. */
  public synchronized List<Stale> takeStale() throws IOException {
    List<Stale> stale = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path file : files) {
        String name = file.getFileName().toString();
        if (!name.chars().allMatch(Character::isDigit)
            || held.containsKey(Integer.parseInt(name))) {
          continue;
        }
        int claim = lock(file);
        if (claim >= 0) {
          stale.add(new Stale(Integer.parseInt(name), Files.readString(file).strip()));
          deleteQuietly(file);
          FileDescriptors.close(claim);
        }
      }
    }
    return stale;
  }

  /**
   * The file at {@code path}, open and locked by this process, as a descriptor; -1 when another
   * holds it. A lock won on a file removed meanwhile holds nothing: then it tries the new one.
   */
  private static int lock(Path path) {
    for (int attempt = 0; attempt < 3; attempt++) {
      int fd =
          LibC.VARIADIC.open(
              path.toString(),
              FileDescriptors.O_RDWR
                  | FileDescriptors.O_CREAT
                  | FileDescriptors.O_NOCTTY
                  | FileDescriptors.O_CLOEXEC,
              0600);
      if (fd < 0) {
        return -1;
      }
      if (LibC.flock(fd, LOCK_EX | LOCK_NB) != 0) {
        FileDescriptors.close(fd);
        return -1;
      }
      if (sameFile(path, fd)) {
        return fd;
      }
      FileDescriptors.close(fd);
    }
    return -1;
  }

  private static boolean sameFile(Path path, int fd) {
    try {
      Object named =
          Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
              .fileKey();
      Object open =
          Files.readAttributes(Path.of("/proc/self/fd/" + fd), BasicFileAttributes.class).fileKey();
      return Objects.equals(named, open);
    } catch (IOException gone) {
      return false;
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // Left for the next taker, who finds it stale.
    }
  }
}
