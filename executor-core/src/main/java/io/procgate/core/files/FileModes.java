package io.procgate.core.files;

/** A mode word as {@code ls -l} writes it: {@code drwxr-xr-x}, {@code -rwsr-x---}, ... */
final class FileModes {
  private FileModes() {}

  static String describe(int mode) {
    StringBuilder text = new StringBuilder(10);
    text.append(
        switch (mode & 0170000) {
          case 0040000 -> 'd';
          case 0120000 -> 'l';
          case 0010000 -> 'p';
          case 0140000 -> 's';
          case 0020000 -> 'c';
          case 0060000 -> 'b';
          default -> '-';
        });
    triple(text, mode >> 6, (mode & 04000) != 0, 's');
    triple(text, mode >> 3, (mode & 02000) != 0, 's');
    triple(text, mode, (mode & 01000) != 0, 't');
    return text.toString();
  }

  private static void triple(StringBuilder text, int bits, boolean special, char mark) {
    text.append((bits & 4) != 0 ? 'r' : '-');
    text.append((bits & 2) != 0 ? 'w' : '-');
    boolean execute = (bits & 1) != 0;
    text.append(special ? (execute ? mark : Character.toUpperCase(mark)) : (execute ? 'x' : '-'));
  }
}
