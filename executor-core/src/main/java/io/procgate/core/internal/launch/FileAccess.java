package io.procgate.core.internal.launch;

import io.procgate.core.Account;
import io.procgate.core.internal.os.FileStatus;
import java.nio.file.Path;

/**
 * Answers "may this account execute or search this file" from the mode bits, the way the kernel
 * does, so the answer holds for a user other than the server's. ACLs are not consulted.
 */
final class FileAccess {
  private static final int EXECUTE_OTHER = 0001;
  private static final int EXECUTE_GROUP = 0010;
  private static final int EXECUTE_OWNER = 0100;
  private static final int EXECUTE_ANY = EXECUTE_OWNER | EXECUTE_GROUP | EXECUTE_OTHER;

  private FileAccess() {}

  /** The file's type and permissions, following symbolic links; null when it does not exist. */
  static FileStatus read(Path path) {
    return FileStatus.of(path.toString());
  }

  /** Whether {@code account} holds the execute (for directories: search) bit on the file. */
  static boolean mayExecute(FileStatus file, Account account) {
    if (account.uid() == 0) {
      // Root searches every directory, and executes a file that anyone may execute.
      return file.directory() || (file.mode() & EXECUTE_ANY) != 0;
    }
    if (file.uid() == account.uid()) {
      return (file.mode() & EXECUTE_OWNER) != 0;
    }
    if (account.gid() == file.gid() || account.groups().contains(file.gid())) {
      return (file.mode() & EXECUTE_GROUP) != 0;
    }
    return (file.mode() & EXECUTE_OTHER) != 0;
  }

  /** Whether {@code account} may reach {@code directory}: search permission on it and above it. */
  static boolean mayEnter(Path directory, Account account) {
    for (Path p = directory; p != null; p = p.getParent()) {
      FileStatus attributes = read(p);
      if (attributes == null || !mayExecute(attributes, account)) {
        return false;
      }
    }
    return true;
  }
}
