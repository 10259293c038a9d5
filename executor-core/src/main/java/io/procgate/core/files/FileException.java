package io.procgate.core.files;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/** A file operation refused or failed; {@link Kind} says why, the message says for whom. */
public final class FileException extends RuntimeException {

  /** Why. */
  public enum Kind {
    /** Not an absolute path, or not a valid one. */
    INVALID_PATH,
    /** Not an octal mode of at most four digits. */
    INVALID_MODE,
    /** No account or group has that name or id. */
    UNKNOWN_OWNER,
    /** Nothing at the path. */
    NOT_FOUND,
    /** The account may not do this. */
    PERMISSION_DENIED,
    /** A directory was expected. */
    NOT_A_DIRECTORY,
    /** A file was expected, and it is a directory. */
    IS_A_DIRECTORY,
    /** A regular file was expected, and it is a device, a FIFO or a socket. */
    NOT_A_REGULAR_FILE,
    /** The directory is not empty. */
    NOT_EMPTY,
    /** Something is at the path already. */
    ALREADY_EXISTS,
    /** The kernel holds the path busy: a mount point, or a program being run. */
    IN_USE,
    /** An archive that is not one, or that would write outside its target or too much. */
    INVALID_ARCHIVE,
    /** The file system, or the account's quota on it, is full. */
    NO_SPACE,
    /**
     * As many file operations run as the server allows at once; the same request may pass later.
     */
    BUSY,
    /** The operating system failed for a reason no input explains. */
    SYSTEM_FAILURE
  }

  private final Kind kind;

  public FileException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public FileException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }

  /** The failure of an operation the kernel refused or failed with {@code e}. */
  public static FileException of(IOException e) {
    return of(e, e instanceof FileSystemException fs && fs.getFile() != null ? fs.getFile() : "");
  }

  /**
   * The same, naming {@code path}: the one the request gave, where the kernel's failure names a
   * file the server made for it.
   */
  public static FileException of(IOException e, String path) {
    if (e instanceof NoSuchFileException) {
      return new FileException(Kind.NOT_FOUND, "no such file or directory: " + path, e);
    }
    if (e instanceof AccessDeniedException) {
      return new FileException(Kind.PERMISSION_DENIED, "permission denied: " + path, e);
    }
    if (e instanceof DirectoryNotEmptyException) {
      return new FileException(Kind.NOT_EMPTY, "directory not empty: " + path, e);
    }
    if (e instanceof FileAlreadyExistsException) {
      return new FileException(Kind.ALREADY_EXISTS, "already exists: " + path, e);
    }
    if (e instanceof NotDirectoryException) {
      return new FileException(Kind.NOT_A_DIRECTORY, "not a directory: " + path, e);
    }
    if (e instanceof FileSystemLoopException) {
      return new FileException(Kind.INVALID_PATH, "too many levels of links: " + path, e);
    }
    String reason = e instanceof FileSystemException fs ? String.valueOf(fs.getReason()) : "";
    if (reason.contains("Operation not permitted") || reason.contains("Read-only file system")) {
      return new FileException(Kind.PERMISSION_DENIED, reason + ": " + path, e);
    }
    if (reason.contains("Is a directory")) {
      return new FileException(Kind.IS_A_DIRECTORY, "is a directory: " + path, e);
    }
    if (reason.contains("Not a directory")) {
      return new FileException(Kind.NOT_A_DIRECTORY, "not a directory: " + path, e);
    }
    if (reason.contains("Too many levels of symbolic links")
        || reason.contains("File name too long")
        || reason.contains("Invalid argument")) {
      return new FileException(Kind.INVALID_PATH, reason + ": " + path, e);
    }
    if (reason.contains("Device or resource busy") || reason.contains("Text file busy")) {
      return new FileException(Kind.IN_USE, reason + ": " + path, e);
    }
    String message = String.valueOf(e.getMessage());
    if (message.contains("No space left on device") || message.contains("Disk quota exceeded")) {
      return new FileException(Kind.NO_SPACE, message, e);
    }
    return new FileException(Kind.SYSTEM_FAILURE, e.getMessage(), e);
  }
}
