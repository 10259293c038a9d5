package io.procgate.server.session;

import io.procgate.core.Account;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import org.jboss.logging.Logger;

/**
 * The sessions' private working directories.
 *
 * <p>Permission model: the root belongs to the server's user, mode 0711, so other users can pass
 * through it but not list the session ids in it. Each session directory belongs to the server's
 * user too, with the sticky bit: a process may only remove or rename its own files in it, never the
 * server's. Where the session has an account of its own, the directory's group is that account's
 * and its mode 1770: the session's processes may create files in it, nobody else may enter it.
 * Otherwise its mode is 1777, like {@code /tmp}: a process of any user may create files in it.
 * Deleting a session removes its directory with everything in it, never following symbolic links
 * out of it.
 */
final class WorkDirectories {
  private static final Logger LOG = Logger.getLogger(WorkDirectories.class);
  private static final int ROOT_MODE = 0711;
  private static final int SHARED_SESSION_MODE = 01777;
  private static final int OWN_SESSION_MODE = 01770;

  private final Path root;

  WorkDirectories(Path root) {
    this.root = root.toAbsolutePath().normalize();
  }

  Path root() {
    return root;
  }

  /**
   * Creates the root if needed and removes session directories a previous run left behind.
   *
   * @param othersEnter whether accounts other than the server's must reach their directories in it
   * @throws IllegalStateException when the root is not a directory of the server's user, or when
   *     other accounts must reach it and a directory above it keeps them out
   */
  void prepare(int serverUid, boolean othersEnter) throws IOException {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      Files.createDirectories(root);
    }
    if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
      throw new IllegalStateException("sessions root " + root + " is not a directory");
    }
    int owner = (Integer) Files.getAttribute(root, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    if (owner != serverUid) {
      throw new IllegalStateException(
          "sessions root "
              + root
              + " belongs to uid "
              + owner
              + ", not to the server's uid "
              + serverUid);
    }
    Files.setAttribute(root, "unix:mode", ROOT_MODE, LinkOption.NOFOLLOW_LINKS);
    for (Path above = root.getParent(); othersEnter && above != null; above = above.getParent()) {
      int mode = (Integer) Files.getAttribute(above, "unix:mode");
      if ((mode & 01) == 0) {
        throw new IllegalStateException(
            "sessions root "
                + root
                + " is out of reach of sessions' own accounts: "
                + above
                + " has mode "
                + Integer.toOctalString(mode & 07777)
                + "; let others pass through it (chmod o+x) or choose another procgate.sessions.root");
      }
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(root)) {
      for (Path entry : entries) {
        if (SessionIds.looksLikeId(entry.getFileName().toString())) {
          LOG.infof("removing %s, left behind by an earlier run", entry);
          delete(entry);
        }
      }
    }
  }

  /** Where session {@code id}'s directory is, made or not. */
  Path of(String id) {
    return root.resolve(id);
  }

  /**
   * Makes session {@code id}'s directory, for its own {@code account} only when {@code own}.
   *
   * @throws IOException when it cannot be made, or exists already
   */
  Path create(String id, Account account, boolean own) throws IOException {
    Path dir = Files.createDirectory(of(id));
    if (own) {
      Files.setAttribute(dir, "unix:gid", account.gid(), LinkOption.NOFOLLOW_LINKS);
    }
    Files.setAttribute(
        dir, "unix:mode", own ? OWN_SESSION_MODE : SHARED_SESSION_MODE, LinkOption.NOFOLLOW_LINKS);
    return dir;
  }

  /** Removes {@code dir} and its content, retrying while late writers add files. */
  void delete(Path dir) {
    for (int attempt = 1; ; attempt++) {
      try {
        removeTree(dir);
        return;
      } catch (NoSuchFileException gone) {
        return;
      } catch (IOException e) {
        if (attempt == 3) {
          LOG.warnf(e, "could not remove session directory %s", dir);
          return;
        }
      }
    }
  }

  private static void removeTree(Path dir) throws IOException {
    Files.walkFileTree(
        dir,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path directory, BasicFileAttributes attributes) {
            // A process may have made its own directory read-only; its owner can undo that.
            try {
              int mode =
                  (Integer) Files.getAttribute(directory, "unix:mode", LinkOption.NOFOLLOW_LINKS);
              Files.setAttribute(directory, "unix:mode", mode | 0700, LinkOption.NOFOLLOW_LINKS);
            } catch (IOException | SecurityException e) {
              // Not ours to change: removal below reports what it cannot remove.
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attributes)
              throws IOException {
            Files.deleteIfExists(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
            if (e instanceof NoSuchFileException) {
              return FileVisitResult.CONTINUE;
            }
            throw e;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path directory, IOException e)
              throws IOException {
            if (e != null && !(e instanceof NoSuchFileException)) {
              throw e;
            }
            Files.deleteIfExists(directory);
            return FileVisitResult.CONTINUE;
          }
        });
  }
}
