package io.procgate.core.files;

/**
 * What a directory watch reports, in order.
 *
 * @param path the absolute path of what changed; for {@link Type#OVERFLOW}, the watched directory
 * @param name its last component
 * @param dropped for {@link Type#OVERFLOW}, how many events were lost just before
 */
public record WatchEvent(Type type, String path, String name, boolean directory, long dropped) {

  /** Kernel's four kinds of change, and what a reader needs to know besides. */
  public enum Type {
    CREATE,
    WRITE,
    DELETE,
    RENAME,
    /** Events were lost: the watch's queue was full, or the kernel's was. */
    OVERFLOW,
    /** Nothing happened for the keep-alive interval. */
    KEEP_ALIVE
  }

  static WatchEvent overflow(String root, long dropped) {
    return new WatchEvent(Type.OVERFLOW, root, "", true, dropped);
  }
}
