package io.procgate.core.internal.launch;

/** Tells a command line that needs a shell from a plain executable name or path. */
final class ShellSyntax {
  // Whitespace, operators, quoting, expansions, globs, comments and assignments.
  private static final String SHELL_CHARACTERS = " \t\n\r\f\u000b|&;<>()$`\\\"'*?[]#~={}!";

  private ShellSyntax() {}

  static boolean needsShell(String command) {
    for (int i = 0; i < command.length(); i++) {
      if (SHELL_CHARACTERS.indexOf(command.charAt(i)) >= 0) {
        return true;
      }
    }
    return false;
  }
}
