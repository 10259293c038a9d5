package io.procgate.core.files;

import io.procgate.core.files.FileException.Kind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A file being written under a temporary name beside its target, so that nobody ever sees it half
 * written: {@link #commit()} gives it its mode and renames it into place, {@link #abort()} removes
 * it. One of the two must come, once.
 */
public final class PendingWrite {
  private final UserFiles files;
  private final OpenFile file;
  private final Path target;
  private final int mode;
  private final List<Path> createdDirectories;
  private final AtomicBoolean ended = new AtomicBoolean();

  PendingWrite(
      UserFiles files, OpenFile file, Path target, int mode, List<Path> createdDirectories) {
    this.files = files;
    this.file = file;
    this.target = target;
    this.mode = mode;
    this.createdDirectories = createdDirectories;
  }

  /** The file to write to, see {@link OpenFile#path()}. */
  public Path path() {
    return file.path();
  }

  public Path target() {
    return target;
  }

  /** Gives the file its mode and renames it to its target, with the account's rights. */
  public CompletableFuture<Void> commit() {
    requireOnce();
    return files
        .<Void>asUser(
            () -> {
              UserFiles.setMode(file.name(), mode);
              if (Files.isDirectory(target)) {
                throw new FileException(Kind.IS_A_DIRECTORY, target + " is a directory");
              }
              try {
                Files.move(
                    file.name(),
                    target,
                    StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
              } catch (IOException e) {
                // Named for the target: the temporary file is the server's, not the client's.
                throw FileException.of(e, target.toString());
              }
              return null;
            })
        .whenComplete(
            (done, failure) -> {
              file.close();
              if (failure != null) {
                removeQuietly();
              }
            });
  }

  /** Removes what was written, and the directories made for it; the target is as it was. */
  public CompletableFuture<Void> abort() {
    if (!ended.compareAndSet(false, true)) {
      return CompletableFuture.completedFuture(null);
    }
    file.close();
    return removeQuietly();
  }

  private CompletableFuture<Void> removeQuietly() {
    return files
        .<Void>asUser(
            () -> {
              Files.deleteIfExists(file.name());
              removeEmpty(createdDirectories);
              return null;
            })
        .exceptionally(ignored -> null);
  }

  /** Removes the directories, innermost first, as far as nothing else has come into them. */
  static void removeEmpty(List<Path> directories) {
    for (int i = directories.size() - 1; i >= 0; i--) {
      try {
        Files.delete(directories.get(i));
      } catch (IOException inUse) {
        return;
      }
    }
  }

  private void requireOnce() {
    if (!ended.compareAndSet(false, true)) {
      throw new IllegalStateException("the write of " + target + " has ended already");
    }
  }
}
