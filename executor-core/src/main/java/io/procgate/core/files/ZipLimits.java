package io.procgate.core.files;

/**
 * What an extracted archive may come to.
 *
 * @param maxEntries files and directories
 * @param maxBytes the files' bytes together, once extracted
 */
public record ZipLimits(int maxEntries, long maxBytes) {}
