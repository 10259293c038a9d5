package io.procgate.testing;

import io.procgate.client.model.ProcessExecRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;

/**
 * The account a session's processes run as, its own by default: what the test makes for them to
 * work in must be that account's, as it may enter no directory of root's.
 */
public final class SessionAccount {
  private final int uid;
  private final int gid;

  private SessionAccount(int uid, int gid) {
    this.uid = uid;
    this.gid = gid;
  }

  /** The account, as the session's own {@code id} says. */
  public static SessionAccount of(ServerProcess server, String session) throws Exception {
    String[] ids =
        new String(
                Base64.getDecoder()
                    .decode(
                        server
                            .processes()
                            .processExec(
                                session, new ProcessExecRequest().command("echo $(id -u) $(id -g)"))
                            .getStdoutB64()),
                StandardCharsets.UTF_8)
            .strip()
            .split(" ");
    return new SessionAccount(Integer.parseInt(ids[0]), Integer.parseInt(ids[1]));
  }

  public int uid() {
    return uid;
  }

  public int gid() {
    return gid;
  }

  /**
   * A new directory {@code name} in {@code temporary}, a JUnit one of root's, that the account
   * owns: {@code temporary} is made passable for it.
   */
  public Path directoryIn(Path temporary, String name) throws IOException {
    Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rwx--x--x"));
    return own(Files.createDirectory(temporary.resolve(name)));
  }

  /** Gives a file the test made to the account. */
  public Path own(Path path) throws IOException {
    Files.setAttribute(path, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
    Files.setAttribute(path, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
    return path;
  }
}
