package io.procgate.core.internal.os;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * A file's type, permission bits, owner and size, from one {@code statx}, following symbolic links.
 * Every exec checks its command and working directory so; the JDK's {@code unix:} attribute view
 * costs several times the system call in parsing its attribute list and filling a map.
 *
 * @param mode {@code st_mode}: the type and the permission bits
 * @param size {@code st_size}, in bytes
 * @param blocks {@code st_blocks}: 512-byte units of storage the file holds
 */
public record FileStatus(int mode, int uid, int gid, long size, long blocks) {
  private static final int AT_FDCWD = -100;
  private static final int STATX_TYPE = 0x1;
  private static final int STATX_MODE = 0x2;
  private static final int STATX_UID = 0x8;
  private static final int STATX_GID = 0x10;
  private static final int STATX_SIZE_FIELD = 0x200;
  private static final int STATX_BLOCKS = 0x400;
  // struct statx is 256 bytes, the same on every architecture; the fields read here sit at fixed
  // offsets in it, little-endian on the x86 and ARM machines procgate runs on.
  private static final int STATX_SIZE = 256;
  private static final int UID_OFFSET = 20;
  private static final int GID_OFFSET = 24;
  private static final int MODE_OFFSET = 28;
  private static final int SIZE_OFFSET = 40;
  private static final int BLOCKS_OFFSET = 48;
  private static final int S_IFMT = 0170000;
  private static final int S_IFREG = 0100000;
  private static final int S_IFDIR = 0040000;

  /**
   * @param path the path as {@code execve} will be given it, in UTF-8
   * @return null when the file does not exist or cannot be reached
   */
  public static FileStatus of(String path) {
    byte[] terminated = (path + "\0").getBytes(StandardCharsets.UTF_8);
    byte[] status = new byte[STATX_SIZE];
    int mask = STATX_TYPE | STATX_MODE | STATX_UID | STATX_GID | STATX_SIZE_FIELD | STATX_BLOCKS;
    if (LibC.statx(AT_FDCWD, terminated, 0, mask, status) != 0) {
      return null;
    }
    ByteBuffer fields = ByteBuffer.wrap(status).order(ByteOrder.LITTLE_ENDIAN);
    return new FileStatus(
        Short.toUnsignedInt(fields.getShort(MODE_OFFSET)),
        fields.getInt(UID_OFFSET),
        fields.getInt(GID_OFFSET),
        fields.getLong(SIZE_OFFSET),
        fields.getLong(BLOCKS_OFFSET));
  }

  public boolean regularFile() {
    return (mode & S_IFMT) == S_IFREG;
  }

  public boolean directory() {
    return (mode & S_IFMT) == S_IFDIR;
  }
}
