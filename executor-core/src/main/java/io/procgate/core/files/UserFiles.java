package io.procgate.core.files;

import io.procgate.core.Account;
import io.procgate.core.files.FileException.Kind;
import io.procgate.core.internal.os.Accounts;
import io.procgate.core.internal.os.FileStatus;
import io.procgate.core.internal.os.FsCredentials;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * The file system with exactly one account's rights: every operation runs on a thread whose file
 * system identity (uid, gid and groups) is that account's for the length of the operation, so the
 * kernel checks each access as it would for that account's own processes. Paths are absolute.
 *
 * <p>Symbolic links: the entry operations (info, listing, delete, move, permissions of the link's
 * target) take a path as the kernel does for that account; a link is followed where the account's
 * own tools follow it (reading, writing, listing what a link to a directory leads to) and never
 * where they would act on the link itself (deleting, moving, {@code file_info} and listings
 * describe the link). Trees are walked without following links: a zip or a recursive delete never
 * leaves the tree it was given.
 *
 * <p>Threading: every method is safe from any thread and answers through a future, completed on one
 * of at most {@value #MAX_THREADS} threads of its own; past that many operations at once, the
 * future fails with {@link Kind#BUSY}.
 */
public final class UserFiles implements AutoCloseable {
  static final int MAX_THREADS = 32;
  private static final int DEFAULT_DIRECTORY_MODE = 0755;
  private static final int DEFAULT_FILE_MODE = 0644;
  private static final int MAX_PATH = 4096;
  // Linux's own bound on the links one lookup follows (MAXSYMLINKS).
  private static final int MAX_LINKS = 40;
  // What /sys says of every attribute file; /proc and the cgroup file systems say 0.
  private static final long PSEUDO_FILE_SIZE = 4096;
  // A file read to learn its size is copied first; /proc's largest (kallsyms) is a few MiB.
  private static final long MAX_SNAPSHOT_BYTES = 64L << 20;
  private static final SecureRandom RANDOM = new SecureRandom();

  /**
   * Work done with the account's rights; its {@code IOException} becomes a {@link FileException}.
   */
  @FunctionalInterface
  public interface Task<T> {
    T run() throws IOException;
  }

  private final Account user;
  private final Account server;
  private final boolean switching;
  private final FileThreads threads;
  // Whether closing this closes the threads, which the views of other accounts share.
  private final boolean ownsThreads;

  /**
   * @param user the account whose rights every operation has
   * @param server the account the server runs as, which the threads take back after each operation
   */
  public UserFiles(Account user, Account server) {
    this(user, server, new FileThreads(MAX_THREADS), true);
  }

  private UserFiles(Account user, Account server, FileThreads threads, boolean ownsThreads) {
    this.user = user;
    this.server = server;
    this.switching =
        user.uid() != server.uid()
            || user.gid() != server.gid()
            || !user.groups().equals(server.groups());
    this.threads = threads;
    this.ownsThreads = ownsThreads;
  }

  /**
   * The same file system with {@code other}'s rights, on these threads: at most {@value
   * #MAX_THREADS} operations at once for all of them together. Closing it closes nothing.
   */
  public UserFiles withRightsOf(Account other) {
    return new UserFiles(other, server, threads, false);
  }

  /** The account whose rights these are. */
  public Account user() {
    return user;
  }

  /**
   * Runs {@code task} with the account's rights.
   *
   * <p>A thread whose identity cannot be given back ends instead of serving another task.
   */
  public <T> CompletableFuture<T> asUser(Task<T> task) {
    CompletableFuture<T> result = new CompletableFuture<>();
    try {
      threads.execute(
          () -> {
            if (switching) {
              try {
                FsCredentials.become(user);
              } catch (RuntimeException refused) {
                FsCredentials.restore(server);
                result.completeExceptionally(
                    new FileException(
                        Kind.PERMISSION_DENIED,
                        "the server cannot take on the rights of "
                            + user.name()
                            + ": "
                            + refused.getMessage(),
                        refused));
                return;
              }
            }
            try {
              result.complete(task.run());
            } catch (IOException e) {
              result.completeExceptionally(FileException.of(e));
            } catch (RuntimeException | Error e) {
              result.completeExceptionally(e);
            } finally {
              if (switching) {
                FsCredentials.restore(server);
              }
            }
          });
    } catch (RejectedExecutionException busy) {
      result.completeExceptionally(
          new FileException(
              Kind.BUSY, "the server runs " + MAX_THREADS + " file operations at once; retry"));
    }
    return result;
  }

  /** {@code path} as an absolute, normalised path; a {@link FileException} when it is none. */
  public static Path absolute(String path) {
    if (path == null || !path.startsWith("/")) {
      throw new FileException(Kind.INVALID_PATH, "the path must be absolute: " + shown(path));
    }
    if (path.length() > MAX_PATH || path.indexOf('\0') >= 0) {
      throw new FileException(Kind.INVALID_PATH, "not a valid path: " + shown(path));
    }
    try {
      return Path.of(path).normalize();
    } catch (InvalidPathException e) {
      throw new FileException(Kind.INVALID_PATH, "not a valid path: " + shown(path));
    }
  }

  /** An octal mode of one to four digits, such as {@code 644} or {@code 0755}; empty for none. */
  public static int mode(Optional<String> mode, boolean directory) {
    if (mode.isEmpty() || mode.get().isEmpty()) {
      return directory ? DEFAULT_DIRECTORY_MODE : DEFAULT_FILE_MODE;
    }
    String digits = mode.get();
    if (digits.length() > 4 || !digits.chars().allMatch(c -> c >= '0' && c <= '7')) {
      throw new FileException(
          Kind.INVALID_MODE, "mode must be octal, such as 644 or 0755: " + shown(digits));
    }
    return Integer.parseInt(digits, 8);
  }

  /** Creates the directory and its missing parents; one that exists already is fine. */
  public CompletableFuture<Void> createDirectory(String path, Optional<String> mode) {
    Path dir = absolute(path);
    int bits = mode(mode, true);
    return asUser(
        () -> {
          if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return null;
          }
          createParents(dir);
          Files.createDirectory(dir);
          setMode(dir, bits);
          return null;
        });
  }

  /** Deletes the directory and everything below it, never following a link out of it. */
  public CompletableFuture<Void> deleteDirectory(String path) {
    Path dir = absolute(path);
    return asUser(
        () -> {
          BasicFileAttributes attributes = attributes(dir);
          if (!attributes.isDirectory()) {
            throw new FileException(Kind.NOT_A_DIRECTORY, dir + " is not a directory");
          }
          removeTree(dir);
          return null;
        });
  }

  /** Deletes a file (a link itself, not what it leads to). */
  public CompletableFuture<Void> deleteFile(String path) {
    Path file = absolute(path);
    return asUser(
        () -> {
          if (attributes(file).isDirectory()) {
            throw new FileException(Kind.IS_A_DIRECTORY, file + " is a directory");
          }
          Files.delete(file);
          return null;
        });
  }

  /** Renames {@code source} to {@code target}, replacing a file there but no directory. */
  public CompletableFuture<Void> move(String source, String target) {
    Path from = absolute(source);
    Path to = absolute(target);
    return asUser(
        () -> {
          boolean directory = attributes(from).isDirectory();
          if (directory && to.startsWith(from) && !to.equals(from)) {
            throw new FileException(
                Kind.INVALID_PATH, "cannot move the directory " + from + " into itself: " + to);
          }
          if (!directory && Files.isDirectory(to, LinkOption.NOFOLLOW_LINKS)) {
            throw new FileException(Kind.IS_A_DIRECTORY, to + " is a directory");
          }
          try {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
          } catch (NoSuchFileException e) {
            // The JDK names the source, which was there a moment ago: what is missing is the
            // directory the target would be in.
            throw new FileException(Kind.NOT_FOUND, "no such directory: " + to.getParent(), e);
          } catch (DirectoryNotEmptyException e) {
            if (!from.toString().equals(e.getFile())) {
              throw e;
            }
            // The JDK copies what rename(2) cannot move to another file system, but only files
            // and empty directories.
            throw new FileException(
                Kind.NOT_EMPTY,
                "a directory that is not empty cannot be moved to another file system: "
                    + from
                    + " -> "
                    + to,
                e);
          }
          return null;
        });
  }

  /**
   * Sets the permission bits, and the owner and group when given (names or ids); the kernel refuses
   * an owner other than the account itself unless the account is root.
   */
  public CompletableFuture<Void> setPermissions(
      String path, String mode, Optional<String> owner, Optional<String> group) {
    Path file = absolute(path);
    if (mode == null || mode.isEmpty()) {
      throw new FileException(Kind.INVALID_MODE, "mode is required");
    }
    int bits = mode(Optional.of(mode), false);
    Optional<Integer> uid = owner.filter(o -> !o.isEmpty()).map(UserFiles::uidOf);
    Optional<Integer> gid = group.filter(g -> !g.isEmpty()).map(UserFiles::gidOf);
    return asUser(
        () -> {
          attributes(file);
          if (uid.isPresent()) {
            Files.setAttribute(file, "unix:uid", uid.get());
          }
          if (gid.isPresent()) {
            Files.setAttribute(file, "unix:gid", gid.get());
          }
          setMode(file, bits);
          return null;
        });
  }

  /** The entry at {@code path}, a link described as itself. */
  public CompletableFuture<FileEntry> info(String path) {
    Path file = absolute(path);
    return asUser(() -> entry(file));
  }

  /** The entries of a directory, by name. */
  public CompletableFuture<List<FileEntry>> list(String path) {
    Path dir = absolute(path);
    return asUser(
        () -> {
          if (!Files.isDirectory(dir)) {
            attributes(dir);
            throw new FileException(Kind.NOT_A_DIRECTORY, dir + " is not a directory");
          }
          List<FileEntry> entries = new ArrayList<>();
          try (DirectoryStream<Path> children = Files.newDirectoryStream(dir)) {
            for (Path child : children) {
              try {
                entries.add(entry(child));
              } catch (NoSuchFileException gone) {
                // Removed while listed.
              }
            }
          }
          entries.sort((a, b) -> a.name().compareTo(b.name()));
          return entries;
        });
  }

  /**
   * Opens a regular file for reading, with the account's rights; the caller owns the result and
   * closes it.
   */
  public CompletableFuture<OpenFile> openForReading(String path) {
    return open(path, true);
  }

  /**
   * Opens a regular file to follow as it grows, with the account's rights: the file itself, even
   * when its size says nothing of its content (an empty log), never a snapshot of it.
   */
  public CompletableFuture<OpenFile> openToFollow(String path) {
    return open(path, false);
  }

  private CompletableFuture<OpenFile> open(String path, boolean snapshotUnknownSize) {
    Path file = absolute(path);
    return asUser(
        () -> {
          OpenFile open = OpenFile.open(file);
          try {
            BasicFileAttributes opened =
                Files.readAttributes(open.path(), BasicFileAttributes.class);
            if (opened.isDirectory()) {
              throw new FileException(Kind.IS_A_DIRECTORY, file + " is a directory");
            }
            if (!opened.isRegularFile()) {
              throw new FileException(Kind.NOT_A_REGULAR_FILE, file + " is not a regular file");
            }
            if (snapshotUnknownSize && sizeUnknown(open)) {
              try (open) {
                return OpenFile.snapshot(open, MAX_SNAPSHOT_BYTES);
              }
            }
          } catch (IOException | RuntimeException e) {
            open.close();
            throw e;
          }
          return open;
        });
  }

  /**
   * Where a write of {@code path} lands: through a symbolic link to what it points at, as a shell's
   * {@code >} goes, even to a file that does not exist yet. The new content replaces that file, not
   * the link.
   */
  private static Path throughLinks(Path path) throws IOException {
    Path at = path;
    for (int links = 0; Files.isSymbolicLink(at); links++) {
      // A loop fails the lookup before this; the bound holds against links changed meanwhile.
      if (links == MAX_LINKS) {
        throw new FileSystemException(path.toString(), null, "Too many levels of symbolic links");
      }
      // Not normalised: the kernel resolves a ".." after a linked directory as it should.
      at = at.resolveSibling(Files.readSymbolicLink(at));
    }
    return at;
  }

  /**
   * Whether the size the kernel gives is not the file's: the files of {@code /proc}, {@code /sys}
   * and the cgroup file systems hold no storage and say 0 or one page, whatever they hold, so a
   * sender that trusts the size sends nothing or waits for bytes that never come. A real file that
   * small and without storage (empty, or all hole) is copied at no cost.
   */
  private static boolean sizeUnknown(OpenFile open) {
    FileStatus status = FileStatus.of(open.path().toString());
    return status != null && status.blocks() == 0 && status.size() <= PSEUDO_FILE_SIZE;
  }

  /**
   * Begins writing {@code path}: its missing parent directories are made now, its content goes to a
   * new file of a temporary name beside it, which {@link PendingWrite#commit} renames into place
   * and {@link PendingWrite#abort} removes, with the directories made for it. The caller owns the
   * result.
   */
  public CompletableFuture<PendingWrite> openForWriting(String path, Optional<String> mode) {
    Path target = absolute(path);
    int bits = mode(mode, false);
    if (target.getParent() == null) {
      throw new FileException(Kind.IS_A_DIRECTORY, "/ is a directory");
    }
    return asUser(
        () -> {
          if (isDirectory(target)) {
            throw new FileException(Kind.IS_A_DIRECTORY, target + " is a directory");
          }
          Path destination = throughLinks(target);
          List<Path> created = createParents(destination);
          Path temporary = destination.resolveSibling(temporaryName(destination));
          try {
            return new PendingWrite(this, OpenFile.create(temporary), destination, bits, created);
          } catch (AccessDeniedException e) {
            PendingWrite.removeEmpty(created);
            // The name to report is the one asked for, not the temporary one.
            throw new FileException(
                Kind.PERMISSION_DENIED,
                "permission denied: " + target + " cannot be written in its directory",
                e);
          } catch (IOException e) {
            PendingWrite.removeEmpty(created);
            throw FileException.of(e, target.toString());
          }
        });
  }

  /**
   * A name for a file beside {@code target} that nothing else has: a dot file, never listed by ls.
   */
  static String temporaryName(Path target) {
    byte[] random = new byte[8];
    RANDOM.nextBytes(random);
    String name = target.getFileName().toString();
    return "."
        + (name.length() > 64 ? name.substring(0, 64) : name)
        + "."
        + HexFormat.of().formatHex(random)
        + ".part";
  }

  /**
   * Writes a zip of the directory {@code path} to {@code out} while reading the tree, with the
   * account's rights: entries are named relative to {@code path}; links and special files are left
   * out, and so is what the account may not read.
   */
  public CompletableFuture<Void> zip(String path, OutputStream out) {
    Path dir = absolute(path);
    return asUser(
        () -> {
          if (!attributes(dir).isDirectory()) {
            throw new FileException(Kind.NOT_A_DIRECTORY, dir + " is not a directory");
          }
          // What cannot be read below is left out; the directory itself must be readable.
          Files.newDirectoryStream(dir).close();
          try (ZipOutputStream zip = new ZipOutputStream(out)) {
            // The zip is made while it is read: the fastest compression keeps up with the network.
            zip.setLevel(Deflater.BEST_SPEED);
            Files.walkFileTree(dir, new Zipper(dir, zip));
          }
          return null;
        });
  }

  /**
   * Watches the directory {@code path} (and, when {@code recursive}, every directory below it), see
   * {@link DirectoryWatch}.
   */
  public CompletableFuture<DirectoryWatch> watch(String path, boolean recursive) {
    return DirectoryWatch.start(this, threads.watchLoop(), absolute(path), recursive);
  }

  /** Extracts a zip into {@code target}, see {@link ZipExtraction}. */
  public CompletableFuture<Void> extractZip(Path archive, String target, ZipLimits limits) {
    Path dir = absolute(target);
    return asUser(
        () -> {
          new ZipExtraction(archive, dir, limits).run();
          return null;
        });
  }

  /** Creates the missing parents of {@code path}; returns those it created, outermost first. */
  List<Path> createParents(Path path) throws IOException {
    List<Path> created = new ArrayList<>();
    Path parent = path.getParent();
    if (parent != null && !Files.isDirectory(parent)) {
      created.addAll(createParents(parent));
      try {
        Files.createDirectory(parent);
        setMode(parent, DEFAULT_DIRECTORY_MODE);
        created.add(parent);
      } catch (FileAlreadyExistsException exists) {
        // Another write into the same new directory (the files of one upload) may have made it
        // since the check: only something else in its place is an error.
        if (!Files.isDirectory(parent)) {
          throw new FileException(Kind.NOT_A_DIRECTORY, parent + " is not a directory");
        }
      }
    }
    return created;
  }

  static void setMode(Path path, int mode) throws IOException {
    Files.setAttribute(path, "unix:mode", mode);
  }

  /**
   * Whether {@code path} leads to a directory, following links. Unlike {@link Files#isDirectory}, a
   * name the kernel refuses (too long, a loop of links) is an error, found before a body is read
   * for it; a missing path, or a file where a parent should be, is no directory.
   */
  private static boolean isDirectory(Path path) throws IOException {
    try {
      return Files.readAttributes(path, BasicFileAttributes.class).isDirectory();
    } catch (NoSuchFileException absent) {
      return false;
    } catch (FileSystemException e) {
      if ("Not a directory".equals(e.getReason())) {
        return false;
      }
      throw e;
    }
  }

  private static BasicFileAttributes attributes(Path path) throws IOException {
    return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
  }

  static FileEntry entry(Path path) throws IOException {
    Map<String, Object> unix =
        Files.readAttributes(path, "unix:mode,size,lastModifiedTime", LinkOption.NOFOLLOW_LINKS);
    int mode = (Integer) unix.get("mode");
    boolean directory = (mode & 0170000) == 0040000;
    Path name = path.getFileName();
    return new FileEntry(
        name == null ? "/" : name.toString(),
        path.toString(),
        directory,
        directory ? 0 : (Long) unix.get("size"),
        ((FileTime) unix.get("lastModifiedTime")).toInstant(),
        FileModes.describe(mode));
  }

  static void removeTree(Path dir) throws IOException {
    Files.walkFileTree(
        dir,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attributes)
              throws IOException {
            Files.delete(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path directory, IOException e)
              throws IOException {
            if (e != null) {
              throw e;
            }
            Files.delete(directory);
            return FileVisitResult.CONTINUE;
          }
        });
  }

  private static int uidOf(String owner) {
    if (owner.chars().allMatch(Character::isDigit) && owner.length() <= 10) {
      return (int) Long.parseLong(owner);
    }
    return Accounts.byName(owner)
        .map(Account::uid)
        .orElseThrow(() -> new FileException(Kind.UNKNOWN_OWNER, "no user " + shown(owner)));
  }

  private static int gidOf(String group) {
    if (group.chars().allMatch(Character::isDigit) && group.length() <= 10) {
      return (int) Long.parseLong(group);
    }
    return Accounts.groupByName(group)
        .orElseThrow(() -> new FileException(Kind.UNKNOWN_OWNER, "no group " + shown(group)));
  }

  static String shown(String value) {
    if (value == null) {
      return "null";
    }
    String clean = value.replace("\0", "\\0");
    return "'" + (clean.length() > 128 ? clean.substring(0, 128) + "..." : clean) + "'";
  }

  @Override
  public void close() {
    if (ownsThreads) {
      threads.close();
    }
  }

  /** Walks a tree into a zip, links and what cannot be read left out. */
  private static final class Zipper extends SimpleFileVisitor<Path> {
    private final Path root;
    private final ZipOutputStream zip;

    Zipper(Path root, ZipOutputStream zip) {
      this.root = root;
      this.zip = zip;
    }

    @Override
    public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes)
        throws IOException {
      if (!dir.equals(root)) {
        ZipEntry entry = new ZipEntry(root.relativize(dir) + "/");
        entry.setLastModifiedTime(attributes.lastModifiedTime());
        zip.putNextEntry(entry);
        zip.closeEntry();
      }
      return FileVisitResult.CONTINUE;
    }

    @Override
    public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
      if (!attributes.isRegularFile()) {
        return FileVisitResult.CONTINUE;
      }
      InputStream in;
      try {
        in = Files.newInputStream(file);
      } catch (AccessDeniedException | NoSuchFileException unreadable) {
        return FileVisitResult.CONTINUE;
      }
      try (in) {
        ZipEntry entry = new ZipEntry(root.relativize(file).toString());
        entry.setLastModifiedTime(attributes.lastModifiedTime());
        zip.putNextEntry(entry);
        in.transferTo(zip);
        zip.closeEntry();
      }
      return FileVisitResult.CONTINUE;
    }

    @Override
    public FileVisitResult visitFileFailed(Path file, IOException e) {
      return FileVisitResult.CONTINUE;
    }
  }
}
