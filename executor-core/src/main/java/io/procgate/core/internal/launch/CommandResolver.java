package io.procgate.core.internal.launch;

import io.procgate.core.Account;
import io.procgate.core.ProcessException;
import io.procgate.core.ProcessException.Kind;
import io.procgate.core.internal.os.Errno;
import io.procgate.core.internal.os.FileStatus;
import io.procgate.core.internal.os.OsException;
import java.nio.file.Path;

/**
 * Finds the file a command names, as {@code execvp} would but in the child's PATH rather than the
 * server's, and checks that the child's user may execute it.
 */
final class CommandResolver {
  private CommandResolver() {}

  /**
   * @param path the child's PATH
   * @param cwd the child's working directory, against which relative names resolve
   * @return the absolute path to execute
   */
  static Path resolve(String command, String path, Path cwd, Account user) {
    if (command.indexOf('/') >= 0) {
      return check(command, cwd.resolve(command), user);
    }
    boolean deniedSomewhere = false;
    for (String directory : path.split(":", -1)) {
      // An empty PATH entry means the working directory.
      Path candidate = (directory.isEmpty() ? cwd : cwd.resolve(directory)).resolve(command);
      FileStatus file = FileAccess.read(candidate);
      if (file == null || file.directory()) {
        continue;
      }
      if (file.regularFile() && FileAccess.mayExecute(file, user)) {
        return candidate.normalize();
      }
      deniedSomewhere = true;
    }
    throw new ProcessException(
        deniedSomewhere ? Kind.NOT_EXECUTABLE : Kind.COMMAND_NOT_FOUND,
        "cannot execute '"
            + command
            + "': "
            + OsException.describe(deniedSomewhere ? Errno.EACCES : Errno.ENOENT)
            + " (searched PATH="
            + path
            + ")");
  }

  private static Path check(String command, Path file, Account user) {
    FileStatus attributes = FileAccess.read(file);
    if (attributes == null) {
      throw new ProcessException(
          Kind.COMMAND_NOT_FOUND,
          "cannot execute '" + command + "': " + OsException.describe(Errno.ENOENT));
    }
    if (attributes.directory()) {
      throw new ProcessException(
          Kind.NOT_EXECUTABLE, "cannot execute '" + command + "': Is a directory");
    }
    if (!attributes.regularFile() || !FileAccess.mayExecute(attributes, user)) {
      throw new ProcessException(
          Kind.NOT_EXECUTABLE,
          "cannot execute '"
              + command
              + "': "
              + OsException.describe(Errno.EACCES)
              + forUser(user));
    }
    return file.normalize();
  }

  private static String forUser(Account user) {
    return " (as user " + user.name() + ")";
  }
}
