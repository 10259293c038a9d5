package io.procgate.core;

/**
 * One output stream of a synchronous execution, up to the configured cap.
 *
 * @param bytes what was kept: the first {@code cap} bytes
 * @param totalBytes everything the process wrote, kept or not
 */
public record CapturedOutput(byte[] bytes, long totalBytes) {
  public boolean truncated() {
    return totalBytes > bytes.length;
  }
}
