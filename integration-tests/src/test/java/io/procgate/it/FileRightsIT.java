package io.procgate.it;

import static io.procgate.testing.Refusals.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;

import io.procgate.client.ApiClient;
import io.procgate.client.api.BrowserFilesystemApi;
import io.procgate.client.model.BrowserCreateRequest;
import io.procgate.client.model.FsCreateDirectoryRequest;
import io.procgate.client.model.FsMoveRequest;
import io.procgate.client.model.FsPathRequest;
import io.procgate.client.model.FsSetFilePermissionsRequest;
import io.procgate.client.model.FsWatchRequest;
import io.procgate.client.stream.FileTransfers;
import io.procgate.testing.ServerProcess;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.http.HttpRequest.BodyPublishers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The files API of a root server whose sessions run as the test account: every operation has that
 * account's rights and no more.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class FileRightsIT {
  private ServerProcess server;
  private ApiClient api;
  private BrowserFilesystemApi files;
  private String session;
  private Path rootOwned;
  private Path own;

  @BeforeAll
  void start() throws Exception {
    TestAccount.require();
    Map<String, String> settings = ServerProcess.testSettings();
    settings.put("procgate.exec.default-user", TestAccount.NAME);
    // Rights are the point here, not the browser.
    settings.put("procgate.browser.executable", "/nonexistent/chromium");
    server = ServerProcess.start(settings);
    api = server.client();
    files = new BrowserFilesystemApi(api);
  }

  @AfterAll
  void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  @BeforeEach
  void prepare() throws Exception {
    session = server.browsers().createBrowser(new BrowserCreateRequest()).getSessionId();
    rootOwned = Files.createTempDirectory("procgate-rights");
    Files.setPosixFilePermissions(rootOwned, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.writeString(rootOwned.resolve("root.txt"), "root's");
    // The session's own directory is the account's to write in.
    own = server.sessionsRoot().resolve(session);
  }

  @Test
  void whatTheAccountMayNotReadIsRefused() throws Exception {
    assertRefused(
        () -> FileTransfers.readFile(api, session, "/etc/shadow"), 403, "permission_denied");
    assertRefused(() -> files.fsReadFile(session, "/etc/shadow"), 403, "permission_denied");
    assertRefused(() -> files.fsListFiles(session, "/root"), 403, "permission_denied");
    assertRefused(
        () -> FileTransfers.downloadDirZip(api, session, "/root"), 403, "permission_denied");
    assertRefused(
        () -> files.fsWatchStart(session, new FsWatchRequest().path("/root")),
        403,
        "permission_denied");
    // What it may read, it reads.
    try (InputStream passwd = FileTransfers.readFile(api, session, "/etc/passwd")) {
      assertThat(new String(passwd.readAllBytes(), StandardCharsets.UTF_8)).contains("root:");
    }
  }

  @Test
  void aRootOwnedDirectoryTakesNothingFromTheAccount() throws Exception {
    String inside = rootOwned.resolve("new.txt").toString();
    assertRefused(
        () -> FileTransfers.writeFile(api, session, inside, BodyPublishers.ofString("x"), null),
        403,
        "permission_denied");
    assertRefused(
        () ->
            FileTransfers.upload(
                api,
                session,
                List.of(new FileTransfers.Upload(inside, BodyPublishers.ofString("x")))),
        403,
        "permission_denied");
    assertRefused(
        () ->
            files.fsCreateDirectory(
                session, new FsCreateDirectoryRequest().path(rootOwned.resolve("d").toString())),
        403,
        "permission_denied");
    assertRefused(
        () ->
            FileTransfers.uploadZip(
                api,
                session,
                rootOwned.resolve("z").toString(),
                BodyPublishers.ofByteArray(emptyZip())),
        403,
        "permission_denied");
    assertRefused(
        () ->
            files.fsDeleteFile(
                session, new FsPathRequest().path(rootOwned.resolve("root.txt").toString())),
        403,
        "permission_denied");
    assertRefused(
        () ->
            files.fsMove(
                session,
                new FsMoveRequest()
                    .srcPath(rootOwned.resolve("root.txt").toString())
                    .destPath(own.resolve("stolen.txt").toString())),
        403,
        "permission_denied");
    assertRefused(
        () -> files.fsDeleteDirectory(session, new FsPathRequest().path(rootOwned.toString())),
        403,
        "permission_denied");

    try (Stream<Path> entries = Files.list(rootOwned)) {
      assertThat(entries.map(p -> p.getFileName().toString())).containsExactly("root.txt");
    }
    assertThat(rootOwned.resolve("root.txt")).hasContent("root's");
  }

  @Test
  void ownershipGoesOnlyWhereTheAccountCouldGiveIt() throws Exception {
    Path mine = own.resolve("mine.txt");
    FileTransfers.writeFile(api, session, mine.toString(), BodyPublishers.ofString("mine"), "600");
    assertThat(Files.getAttribute(mine, "unix:uid", LinkOption.NOFOLLOW_LINKS).toString())
        .isEqualTo(TestAccount.uid());

    assertRefused(
        () ->
            files.fsSetFilePermissions(
                session,
                new FsSetFilePermissionsRequest().path(mine.toString()).mode("644").owner("root")),
        403,
        "permission_denied");
    assertRefused(
        () ->
            files.fsSetFilePermissions(
                session,
                new FsSetFilePermissionsRequest().path(mine.toString()).mode("644").group("root")),
        403,
        "permission_denied");
    assertRefused(
        () ->
            files.fsSetFilePermissions(
                session,
                new FsSetFilePermissionsRequest()
                    .path(rootOwned.resolve("root.txt").toString())
                    .mode("777")),
        403,
        "permission_denied");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(mine)))
        .isEqualTo("rw-------");
    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(rootOwned.resolve("root.txt"))))
        .isEqualTo("rw-r--r--");

    // A group the account is in is its to give.
    files.fsSetFilePermissions(
        session,
        new FsSetFilePermissionsRequest()
            .path(mine.toString())
            .mode("640")
            .group(TestAccount.EXTRA_GROUP));
    assertThat(files.fsFileInfo(session, mine.toString()).getMode()).isEqualTo("-rw-r-----");
    assertThat(Files.getAttribute(mine, "posix:group", LinkOption.NOFOLLOW_LINKS).toString())
        .isEqualTo(TestAccount.EXTRA_GROUP);
  }

  @Test
  void filesTheAccountWritesAreItsOwn() throws Exception {
    FileTransfers.upload(
        api,
        session,
        List.of(
            new FileTransfers.Upload(
                own.resolve("up/a.txt").toString(), BodyPublishers.ofString("a"))));
    FileTransfers.uploadZip(
        api, session, own.resolve("unzipped").toString(), BodyPublishers.ofByteArray(emptyZip()));
    for (Path written :
        List.of(own.resolve("up"), own.resolve("up/a.txt"), own.resolve("unzipped"))) {
      assertThat(Files.getAttribute(written, "unix:uid", LinkOption.NOFOLLOW_LINKS).toString())
          .as(written.toString())
          .isEqualTo(TestAccount.uid());
    }
  }

  private static byte[] emptyZip() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      zip.putNextEntry(new ZipEntry("inside.txt"));
      zip.write('x');
      zip.closeEntry();
    }
    return bytes.toByteArray();
  }
}
