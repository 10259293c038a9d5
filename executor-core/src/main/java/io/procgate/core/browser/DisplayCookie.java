package io.procgate.core.browser;

import io.procgate.core.Account;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;

/**
 * A new MIT-MAGIC-COOKIE-1 in an Xauthority file: the file Xvfb takes with {@code -auth}, and its
 * clients through {@code XAUTHORITY}. Its one entry is for any host and any display number, so that
 * it can be written before Xvfb picks its number.
 */
final class DisplayCookie {
  // Xauth's FamilyWild: the entry matches whatever address a client connects from.
  private static final int ANY_FAMILY = 0xFFFF;
  private static final byte[] PROTOCOL = "MIT-MAGIC-COOKIE-1".getBytes(StandardCharsets.US_ASCII);
  private static final int COOKIE_BYTES = 16;
  private static final SecureRandom RANDOM = new SecureRandom();

  private DisplayCookie() {}

  /** Writes a new cookie to {@code file}, which must not exist, readable by {@code owner} only. */
  static void write(Path file, Account owner) throws IOException {
    byte[] cookie = new byte[COOKIE_BYTES];
    RANDOM.nextBytes(cookie);
    ByteArrayOutputStream entry = new ByteArrayOutputStream();
    short16(entry, ANY_FAMILY);
    counted(entry, new byte[0]);
    counted(entry, new byte[0]);
    counted(entry, PROTOCOL);
    counted(entry, cookie);
    Files.write(
        Files.createFile(
            file,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))),
        entry.toByteArray(),
        StandardOpenOption.WRITE);
    Files.setAttribute(file, "unix:uid", owner.uid(), LinkOption.NOFOLLOW_LINKS);
    Files.setAttribute(file, "unix:gid", owner.gid(), LinkOption.NOFOLLOW_LINKS);
  }

  private static void counted(ByteArrayOutputStream out, byte[] bytes) {
    short16(out, bytes.length);
    out.writeBytes(bytes);
  }

  private static void short16(ByteArrayOutputStream out, int value) {
    out.write(value >>> 8);
    out.write(value & 0xFF);
  }
}
