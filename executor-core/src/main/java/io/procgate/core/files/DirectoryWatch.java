package io.procgate.core.files;

import com.sun.jna.Memory;
import io.procgate.core.files.FileException.Kind;
import io.procgate.core.internal.io.EventLoop;
import io.procgate.core.internal.os.Epoll;
import io.procgate.core.internal.os.FileDescriptors;
import io.procgate.core.internal.os.Inotify;
import io.procgate.core.internal.os.OsException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A watch on a directory, through inotify: creations, writes, deletions and renames of its entries,
 * and, when recursive, of every directory below it, new ones included as they appear (links are not
 * followed). Directories are added with the account's rights, so a watch sees only what the account
 * may read.
 *
 * <p>Events wait in a queue of {@link #CAPACITY} for the reader; when it is full the oldest go, and
 * the reader's next event is an {@link WatchEvent.Type#OVERFLOW} saying how many. Writes to one
 * file in a row count as one. One reader at a time: a new one takes over from the last, whose
 * stream ends. Threading: the inotify descriptor is read on the executor's event loop; {@link
 * #events} and {@link #close} are safe from any thread.
 */
public final class DirectoryWatch implements AutoCloseable {
  static final int CAPACITY = 1024;
  private static final int MASK =
      Inotify.IN_CREATE
          | Inotify.IN_MODIFY
          | Inotify.IN_DELETE
          | Inotify.IN_MOVED_FROM
          | Inotify.IN_MOVED_TO
          | Inotify.IN_DELETE_SELF
          | Inotify.IN_MOVE_SELF
          | Inotify.IN_ONLYDIR
          | Inotify.IN_DONT_FOLLOW
          | Inotify.IN_EXCL_UNLINK;

  private final String id = UUID.randomUUID().toString();
  private final UserFiles files;
  private final EventLoop loop;
  private final Path root;
  private final boolean recursive;
  private final int fd;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final CompletableFuture<Void> ended = new CompletableFuture<>();
  // Loop thread only.
  private final Map<Integer, Path> directories = new HashMap<>();
  private final ArrayDeque<WatchEvent> queue = new ArrayDeque<>();
  private long dropped;
  private WatchReader reader;

  private DirectoryWatch(UserFiles files, EventLoop loop, Path root, boolean recursive, int fd) {
    this.files = files;
    this.loop = loop;
    this.root = root;
    this.recursive = recursive;
    this.fd = fd;
  }

  /** Starts watching; completes once the directories are watched, with the account's rights. */
  static CompletableFuture<DirectoryWatch> start(
      UserFiles files, EventLoop loop, Path root, boolean recursive) {
    int fd = Inotify.init();
    DirectoryWatch watch = new DirectoryWatch(files, loop, root, recursive, fd);
    return files
        .asUser(
            () -> {
              if (!Files.isDirectory(root)) {
                Files.readAttributes(root, "size", LinkOption.NOFOLLOW_LINKS);
                throw new FileException(Kind.NOT_A_DIRECTORY, root + " is not a directory");
              }
              return watch.addTree(root);
            })
        .thenCompose(
            added -> {
              CompletableFuture<DirectoryWatch> started = new CompletableFuture<>();
              loop.execute(
                  () -> {
                    watch.directories.putAll(added);
                    loop.register(fd, Epoll.IN, events -> watch.read());
                    started.complete(watch);
                  });
              return started;
            })
        .whenComplete(
            (started, failure) -> {
              if (failure != null) {
                FileDescriptors.close(fd);
              }
            });
  }

  public String id() {
    return id;
  }

  public Path root() {
    return root;
  }

  /** Completes when the watch has ended. */
  public CompletableFuture<Void> ended() {
    return ended;
  }

  /**
   * The events from now on, to one reader, delivered on {@code delivery}; a quiet stream gets a
   * {@link WatchEvent.Type#KEEP_ALIVE} every {@code heartbeat}.
   */
  public Flow.Publisher<WatchEvent> events(Executor delivery, Duration heartbeat) {
    return subscriber ->
        loop.execute(
            () -> {
              if (reader != null) {
                reader.end();
              }
              reader = new WatchReader(this, subscriber, delivery, heartbeat, loop);
              if (closed.get()) {
                reader.end();
              }
            });
  }

  /** Adds {@code dir} and, when recursive, the directories below it; as the account. */
  private Map<Integer, Path> addTree(Path dir) throws IOException {
    Map<Integer, Path> added = new HashMap<>();
    add(dir, added);
    return added;
  }

  private void add(Path dir, Map<Integer, Path> added) throws IOException {
    int wd;
    try {
      wd = Inotify.addWatch(fd, dir.toString(), MASK);
    } catch (OsException e) {
      if (dir.equals(root)) {
        throw e.errno() == 13
            ? new java.nio.file.AccessDeniedException(dir.toString())
            : new java.nio.file.FileSystemException(dir.toString(), null, e.getMessage());
      }
      // Gone or out of reach since it was seen: nothing to watch there.
      return;
    }
    added.put(wd, dir);
    if (!recursive) {
      return;
    }
    try (DirectoryStream<Path> children =
        Files.newDirectoryStream(
            dir, child -> Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS))) {
      for (Path child : children) {
        add(child, added);
      }
    } catch (IOException unreadable) {
      // Watched, but its children are not the account's to see.
    }
  }

  /** Reads what inotify has; loop thread. */
  private void read() {
    Memory buffer = loop.readBuffer();
    long n;
    try {
      n = FileDescriptors.read(fd, buffer, buffer.size());
    } catch (OsException e) {
      close();
      return;
    }
    if (n <= 0) {
      return;
    }
    for (long at = 0; at + 16 <= n; ) {
      int wd = buffer.getInt(at);
      int mask = buffer.getInt(at + 4);
      int length = buffer.getInt(at + 12);
      String name = length == 0 ? "" : nameAt(buffer, at + 16, length);
      at += 16 + length;
      handle(wd, mask, name);
    }
    if (reader != null) {
      reader.wake();
    }
  }

  private void handle(int wd, int mask, String name) {
    if ((mask & Inotify.IN_Q_OVERFLOW) != 0) {
      dropped++;
      return;
    }
    Path dir = directories.get(wd);
    if (dir == null) {
      return;
    }
    if ((mask & Inotify.IN_IGNORED) != 0) {
      directories.remove(wd);
      if (dir.equals(root)) {
        close();
      }
      return;
    }
    boolean isDir = (mask & Inotify.IN_ISDIR) != 0;
    boolean self = (mask & (Inotify.IN_DELETE_SELF | Inotify.IN_MOVE_SELF)) != 0;
    Path path = self ? dir : dir.resolve(name);
    WatchEvent.Type type;
    if ((mask & (Inotify.IN_CREATE | Inotify.IN_MOVED_TO)) != 0) {
      type = WatchEvent.Type.CREATE;
      if (isDir && recursive) {
        files.asUser(() -> addTree(path)).thenAccept(added -> loop.execute(() -> watchMore(added)));
      }
    } else if ((mask & Inotify.IN_MODIFY) != 0) {
      type = WatchEvent.Type.WRITE;
    } else if ((mask & (Inotify.IN_DELETE | Inotify.IN_DELETE_SELF)) != 0) {
      type = WatchEvent.Type.DELETE;
    } else if ((mask & (Inotify.IN_MOVED_FROM | Inotify.IN_MOVE_SELF)) != 0) {
      type = WatchEvent.Type.RENAME;
    } else {
      return;
    }
    if (self && !dir.equals(root)) {
      // Its parent reports the same change.
      return;
    }
    Path fileName = path.getFileName();
    offer(
        new WatchEvent(
            type, path.toString(), fileName == null ? "" : fileName.toString(), isDir || self, 0));
  }

  private void watchMore(Map<Integer, Path> added) {
    if (closed.get()) {
      return;
    }
    directories.putAll(added);
  }

  private void offer(WatchEvent event) {
    WatchEvent last = queue.peekLast();
    if (event.type() == WatchEvent.Type.WRITE && event.equals(last)) {
      return;
    }
    if (queue.size() == CAPACITY) {
      queue.pollFirst();
      dropped++;
    }
    queue.addLast(event);
  }

  /** The next event for the reader, or null; loop thread. */
  WatchEvent next() {
    if (dropped > 0) {
      long lost = dropped;
      dropped = 0;
      return WatchEvent.overflow(root.toString(), lost);
    }
    return queue.pollFirst();
  }

  boolean isClosed() {
    return closed.get();
  }

  private static String nameAt(Memory buffer, long offset, int length) {
    byte[] bytes = buffer.getByteArray(offset, length);
    int end = 0;
    while (end < bytes.length && bytes[end] != 0) {
      end++;
    }
    return new String(bytes, 0, end, StandardCharsets.UTF_8);
  }

  /** Stops watching; the reader's stream ends. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    loop.execute(
        () -> {
          loop.unregister(fd);
          FileDescriptors.close(fd);
          if (reader != null) {
            reader.end();
          }
          ended.complete(null);
        });
  }
}
