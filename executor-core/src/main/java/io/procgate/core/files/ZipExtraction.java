package io.procgate.core.files;

import io.procgate.core.files.FileException.Kind;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Extracts a zip archive into a directory, on the calling thread with its rights. The whole archive
 * is checked before anything is written: no entry may name a place outside the target (an absolute
 * name, or {@code ..} that climbs out), none may be a symbolic link, and the entries and their
 * declared sizes must stay within the limits. While extracting, sizes are counted again, for
 * archives that lie about them; past a limit, everything extracted so far is removed. Files are
 * written beside their final name and renamed into place, with the permission bits the archive
 * gives (set-id bits dropped), else 0644 and 0755.
 */
final class ZipExtraction {
  private static final int CENTRAL_HEADER = 0x02014b50;
  private static final int END_OF_CENTRAL = 0x06054b50;
  private static final int ZIP64_END = 0x06064b50;
  private static final int ZIP64_LOCATOR = 0x07064b50;
  private static final int UNIX = 3;

  private final Path archive;
  private final Path target;
  private final ZipLimits limits;
  private final Deque<Path> created = new ArrayDeque<>();
  private long written;

  ZipExtraction(Path archive, Path target, ZipLimits limits) {
    this.archive = archive;
    this.target = target;
    this.limits = limits;
  }

  void run() throws IOException {
    Map<String, Integer> modes = unixModes();
    try (ZipFile zip = open()) {
      List<ZipEntry> entries = check(zip, modes);
      try {
        extract(zip, entries, modes);
      } catch (IOException | RuntimeException e) {
        rollBack();
        throw e;
      }
    }
  }

  private ZipFile open() {
    try {
      return new ZipFile(archive.toFile());
    } catch (IOException e) {
      throw new FileException(Kind.INVALID_ARCHIVE, "not a zip archive: " + e.getMessage(), e);
    }
  }

  private List<ZipEntry> check(ZipFile zip, Map<String, Integer> modes) {
    List<ZipEntry> entries = new ArrayList<>();
    long declared = 0;
    for (Enumeration<? extends ZipEntry> all = zip.entries(); all.hasMoreElements(); ) {
      ZipEntry entry = all.nextElement();
      entries.add(entry);
      if (entries.size() > limits.maxEntries()) {
        throw refused("it has more than " + limits.maxEntries() + " entries");
      }
      String name = entry.getName();
      Integer mode = modes.get(name);
      if (mode != null && (mode & 0170000) == 0120000) {
        throw refused("entry " + UserFiles.shown(name) + " is a symbolic link");
      }
      place(name);
      if (entry.getSize() > 0) {
        declared += entry.getSize();
      }
      if (declared > limits.maxBytes()) {
        throw refused("it holds more than " + limits.maxBytes() + " bytes");
      }
    }
    return entries;
  }

  /** Where entry {@code name} goes; refused when that is not inside the target. */
  private Path place(String name) {
    if (name.isEmpty() || name.startsWith("/") || name.indexOf('\0') >= 0 || name.contains("\\")) {
      throw refused("entry " + UserFiles.shown(name) + " is not a relative name");
    }
    Path place = target.resolve(name).normalize();
    if (!place.startsWith(target) || place.equals(target) && !name.endsWith("/")) {
      throw refused("entry " + UserFiles.shown(name) + " would be written outside " + target);
    }
    return place;
  }

  private void extract(ZipFile zip, List<ZipEntry> entries, Map<String, Integer> modes)
      throws IOException {
    directory(target);
    for (ZipEntry entry : entries) {
      Path place = place(entry.getName());
      Integer mode = modes.get(entry.getName());
      if (entry.isDirectory()) {
        directory(place);
        if (mode != null) {
          UserFiles.setMode(place, mode & 0777);
        }
        continue;
      }
      directory(place.getParent());
      Path part = place.resolveSibling(UserFiles.temporaryName(place));
      created.push(part);
      try (InputStream in = zip.getInputStream(entry);
          OutputStream out =
              Files.newOutputStream(
                  part, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        copy(in, out, entry);
      }
      UserFiles.setMode(part, mode == null ? 0644 : mode & 0777);
      created.pop();
      if (!Files.exists(place, LinkOption.NOFOLLOW_LINKS)) {
        created.push(place);
      }
      Files.move(part, place, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private void copy(InputStream in, OutputStream out, ZipEntry entry) throws IOException {
    byte[] buffer = new byte[64 * 1024];
    long inEntry = 0;
    for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
      inEntry += n;
      written += n;
      if (written > limits.maxBytes() || (entry.getSize() >= 0 && inEntry > entry.getSize())) {
        throw refused("it holds more than it declares, or than " + limits.maxBytes() + " bytes");
      }
      out.write(buffer, 0, n);
    }
  }

  private void directory(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      return;
    }
    directory(dir.getParent());
    Files.createDirectory(dir);
    UserFiles.setMode(dir, 0755);
    created.push(dir);
  }

  private void rollBack() {
    while (!created.isEmpty()) {
      Path path = created.pop();
      try {
        Files.deleteIfExists(path);
      } catch (IOException notEmpty) {
        // A directory that held something before: it stays.
      }
    }
  }

  private static FileException refused(String why) {
    return new FileException(Kind.INVALID_ARCHIVE, "the archive is refused: " + why);
  }

  /**
   * The Unix mode of each entry that has one, from the central directory's external attributes,
   * which java.util.zip does not expose: the only place a symbolic link shows.
   */
  private Map<String, Integer> unixModes() throws IOException {
    Map<String, Integer> modes = new HashMap<>();
    try (FileChannel file = FileChannel.open(archive, StandardOpenOption.READ)) {
      long size = file.size();
      int tail = (int) Math.min(size, 65_557);
      ByteBuffer end = read(file, size - tail, tail);
      int eocd = -1;
      for (int i = tail - 22; i >= 0; i--) {
        if (end.getInt(i) == END_OF_CENTRAL) {
          eocd = i;
          break;
        }
      }
      if (eocd < 0) {
        throw refused("it has no central directory");
      }
      long entries = Short.toUnsignedInt(end.getShort(eocd + 10));
      long start = Integer.toUnsignedLong(end.getInt(eocd + 16));
      long length = Integer.toUnsignedLong(end.getInt(eocd + 12));
      if (eocd >= 20 && end.getInt(eocd - 20) == ZIP64_LOCATOR) {
        ByteBuffer zip64 = read(file, end.getLong(eocd - 12), 56);
        if (zip64.getInt(0) == ZIP64_END) {
          entries = zip64.getLong(32);
          length = zip64.getLong(40);
          start = zip64.getLong(48);
        }
      }
      if (entries > limits.maxEntries() || length > Integer.MAX_VALUE || start + length > size) {
        throw refused("its central directory is too large or out of place");
      }
      ByteBuffer central = read(file, start, (int) length);
      for (int at = 0; at + 46 <= central.limit() && central.getInt(at) == CENTRAL_HEADER; ) {
        int madeBy = Short.toUnsignedInt(central.getShort(at + 4)) >> 8;
        int nameLength = Short.toUnsignedInt(central.getShort(at + 28));
        int extraLength = Short.toUnsignedInt(central.getShort(at + 30));
        int commentLength = Short.toUnsignedInt(central.getShort(at + 32));
        int attributes = central.getInt(at + 38);
        byte[] name = new byte[nameLength];
        central.get(at + 46, name);
        if (madeBy == UNIX) {
          modes.put(new String(name, java.nio.charset.StandardCharsets.UTF_8), attributes >>> 16);
        }
        at += 46 + nameLength + extraLength + commentLength;
      }
    } catch (ZipException e) {
      throw refused(e.getMessage());
    }
    return modes;
  }

  private static ByteBuffer read(FileChannel file, long position, int length) throws IOException {
    if (position < 0 || length < 0) {
      throw refused("its central directory is out of place");
    }
    ByteBuffer buffer = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
    while (buffer.hasRemaining()) {
      if (file.read(buffer, position + buffer.position()) < 0) {
        throw refused("it ends early");
      }
    }
    return buffer.flip();
  }
}
