package io.procgate.core.files;

import java.time.Instant;

/**
 * A file or directory as {@code ls -l} shows it: the entry itself, a symbolic link not followed.
 *
 * @param sizeBytes 0 for directories
 * @param mode the type and permission bits as {@code ls} writes them, such as {@code -rw-r--r--}
 */
public record FileEntry(
    String name, String path, boolean directory, long sizeBytes, Instant modified, String mode) {}
