package io.procgate.core.browser;

import io.procgate.core.Account;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Where a session's browser keeps its files, all inside the session's directory so that nothing
 * outlives the session: its profile, its home (Chromium writes {@code ~/.pki}, {@code ~/.cache} and
 * its crash database there), its temporary files, and the downloads, which the session's processes
 * read. All belong to the account the browser runs as.
 *
 * @param privateDir the browser's own directory, mode 0700: its profile holds cookies
 * @param serverOwn the server's own files of the browser (its output, its screen's recordings),
 *     mode 0700: made before any process of the session runs, in a directory where nobody else may
 *     rename or delete it
 */
record BrowserDirectories(
    Path privateDir, Path profile, Path home, Path tmp, Path downloads, Path serverOwn) {

  /**
   * The longest session directory a browser can run in. Chromium binds a Unix socket in a directory
   * it makes with {@code mkdtemp} (six random characters after {@code org.chromium.Chromium.}) in
   * its {@code $TMPDIR}, and such a socket's path has at most 107 bytes.
   */
  static final int MAX_SESSION_DIR =
      107 - ("/.tmp/org.chromium.Chromium.".length() + 6 + "/SingletonSocket".length());

  static BrowserDirectories create(Path sessionDir, Account user) throws IOException {
    if (sessionDir.toString().getBytes(StandardCharsets.UTF_8).length > MAX_SESSION_DIR) {
      throw new IOException(
          "the session directory "
              + sessionDir
              + " is too long for Chromium's sockets: at most "
              + MAX_SESSION_DIR
              + " bytes");
    }
    Path root = sessionDir.resolve(".browser");
    BrowserDirectories dirs =
        new BrowserDirectories(
            root,
            root.resolve("profile"),
            root.resolve("home"),
            // Short, for the socket above: beside the browser's own directory, not in it.
            sessionDir.resolve(".tmp"),
            sessionDir.resolve("downloads"),
            sessionDir.resolve(".procgate"));
    for (Path dir :
        new Path[] {root, dirs.profile, dirs.profile.resolve("Default"), dirs.home, dirs.tmp}) {
      own(Files.createDirectory(dir), user, 0700);
    }
    own(Files.createDirectory(dirs.downloads), user, 0755);
    Files.setAttribute(
        Files.createDirectory(dirs.serverOwn), "unix:mode", 0700, LinkOption.NOFOLLOW_LINKS);
    Files.createDirectory(dirs.replays());
    // Downloads go to the session's directory without asking, from the first start on.
    Path preferences = dirs.profile.resolve("Default").resolve("Preferences");
    String downloads = json(dirs.downloads.toString());
    Files.writeString(
        preferences,
        "{\"download\":{\"default_directory\":"
            + downloads
            + ",\"prompt_for_download\":false},\"savefile\":{\"default_directory\":"
            + downloads
            + "}}",
        StandardCharsets.UTF_8);
    own(preferences, user, 0600);
    DisplayCookie.write(dirs.xauthority(), user);
    return dirs;
  }

  /**
   * The Unix socket the server reaches the browser's debugging port {@code port} by, in its own
   * directory: one per port, as the bridge to an earlier Chromium removes its own as it ends.
   */
  Path devToolsBridge(int port) {
    return serverOwn.resolve("devtools-" + port + ".sock");
  }

  /** The cookie of the browser's display, where X clients look for it by default. */
  Path xauthority() {
    return home.resolve(".Xauthority");
  }

  /** The screen's recordings. */
  Path replays() {
    return serverOwn.resolve("replays");
  }

  /** Where the output of {@code program} (chromium, xvfb) is kept. */
  Path log(String program) {
    return serverOwn.resolve(program + ".log");
  }

  private static void own(Path path, Account user, int mode) throws IOException {
    Files.setAttribute(path, "unix:mode", mode, LinkOption.NOFOLLOW_LINKS);
    if (((Integer) Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS)) != user.uid()) {
      Files.setAttribute(path, "unix:uid", user.uid(), LinkOption.NOFOLLOW_LINKS);
      Files.setAttribute(path, "unix:gid", user.gid(), LinkOption.NOFOLLOW_LINKS);
    }
  }

  private static String json(String value) {
    return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
