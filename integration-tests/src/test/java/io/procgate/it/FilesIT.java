package io.procgate.it;

import static io.procgate.testing.Refusals.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.procgate.client.ApiClient;
import io.procgate.client.ApiException;
import io.procgate.client.api.BrowserFilesystemApi;
import io.procgate.client.api.BrowsersApi;
import io.procgate.client.model.BrowserCreateRequest;
import io.procgate.client.model.FsCreateDirectoryRequest;
import io.procgate.client.model.FsFileInfo;
import io.procgate.client.model.FsMoveRequest;
import io.procgate.client.model.FsPathRequest;
import io.procgate.client.model.FsSetFilePermissionsRequest;
import io.procgate.client.model.FsWatchEvent;
import io.procgate.client.model.FsWatchRequest;
import io.procgate.client.model.ProcessExecRequest;
import io.procgate.client.stream.FileTransfers;
import io.procgate.client.stream.WatchEvents;
import io.procgate.testing.ServerProcess;
import io.procgate.testing.SessionAccount;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The files API over real HTTP: the generated client for the JSON operations, the client's stream
 * helpers for bytes and events, and hand-made requests for what no well-behaved client sends.
 */
@ExtendWith(SharedServer.class)
@Timeout(120)
class FilesIT {
  private final ServerProcess server;
  private final ApiClient api;
  private final BrowsersApi browsers;
  private final BrowserFilesystemApi files;
  private String session;
  @TempDir Path base;
  // The session's user's own: a session's account may not enter another's directories, root's
  // temporary ones included.
  private Path dir;
  private SessionAccount account;

  FilesIT(ServerProcess server) {
    this.server = server;
    this.api = server.client();
    this.browsers = server.browsers();
    this.files = new BrowserFilesystemApi(api);
  }

  @BeforeEach
  void createSession() throws Exception {
    session = browsers.createBrowser(new BrowserCreateRequest()).getSessionId();
    account = SessionAccount.of(server, session);
    dir = account.directoryIn(base, "files");
  }

  @AfterEach
  void deleteSession() throws Exception {
    try {
      browsers.deleteBrowser(session);
    } catch (ApiException alreadyGone) {
      // The test deleted it.
    }
  }

  private String path(String name) {
    return dir.resolve(name).toString();
  }

  private void write(String path, byte[] content) throws ApiException {
    FileTransfers.writeFile(api, session, path, BodyPublishers.ofByteArray(content), null);
  }

  private byte[] read(String path) throws Exception {
    try (InputStream in = FileTransfers.readFile(api, session, path)) {
      return in.readAllBytes();
    }
  }

  /** The temporary files of writes under {@code directory}, which no write may leave. */
  private static List<String> leftovers(Path directory) throws IOException {
    List<String> found = new ArrayList<>();
    Files.walkFileTree(
        directory,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
            if (file.getFileName().toString().endsWith(".part")) {
              found.add(file.toString());
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException e) {
            // Gone meanwhile, or a browser's private directory.
            return FileVisitResult.CONTINUE;
          }
        });
    return found;
  }

  @Test
  void directoriesAreCreatedWithTheirParentsAndDescribedAsKernelDoes() throws Exception {
    String nested = path("a/b/c");
    files.fsCreateDirectory(session, new FsCreateDirectoryRequest().path(nested).mode("750"));
    files.fsCreateDirectory(session, new FsCreateDirectoryRequest().path(nested));

    FsFileInfo info = files.fsFileInfo(session, nested);
    assertThat(info.getName()).isEqualTo("c");
    assertThat(info.getPath()).isEqualTo(nested);
    assertThat(info.getIsDir()).isTrue();
    assertThat(info.getSizeBytes()).isZero();
    assertThat(info.getMode()).isEqualTo("drwxr-x---");
    assertThat(info.getModTime())
        .isBetween(OffsetDateTime.now().minusMinutes(1), OffsetDateTime.now().plusMinutes(1));
    assertThat(files.fsFileInfo(session, path("a")).getMode()).isEqualTo("drwxr-xr-x");
  }

  @Test
  void bytesGoAndComeBackExactly() throws Exception {
    byte[] content = new byte[5 * 1024 * 1024 + 17];
    new Random(1).nextBytes(content);
    String file = path("deep/er/data.bin");
    write(file, content);

    assertThat(read(file)).isEqualTo(content);
    assertThat(Files.readAllBytes(Path.of(file))).isEqualTo(content);
    assertThat(files.fsReadFile(session, file)).hasBinaryContent(content);
    FsFileInfo info = files.fsFileInfo(session, file);
    assertThat(info.getSizeBytes()).isEqualTo(content.length);
    assertThat(info.getMode()).isEqualTo("-rw-r--r--");
    assertThat(leftovers(dir)).isEmpty();
  }

  @Test
  void theKernelsOwnFilesComeWholeThoughTheyDoNotSayTheirSize() throws Exception {
    // /proc says 0 bytes, /sys one page, whatever they hold.
    for (String pseudo : List.of("/proc/version", "/sys/devices/system/cpu/online")) {
      assertThat(read(pseudo))
          .as(pseudo)
          .isNotEmpty()
          .isEqualTo(Files.readAllBytes(Path.of(pseudo)));
    }
  }

  @Test
  void aBodyOfUnknownLengthIsWrittenAsItArrives() throws Exception {
    byte[] content = "sent in chunks ".repeat(100_000).getBytes(StandardCharsets.UTF_8);
    String file = path("chunked.txt");
    FileTransfers.writeFile(
        api,
        session,
        file,
        BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(content)),
        "600");

    assertThat(Files.readAllBytes(Path.of(file))).isEqualTo(content);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(Path.of(file))))
        .isEqualTo("rw-------");
  }

  @Test
  void aWriteReplacesTheFileWholeNeverHalfWritten() throws Exception {
    String file = path("replaced.txt");
    write(file, "old".getBytes(StandardCharsets.UTF_8));
    PipedOutputStream feed = new PipedOutputStream();
    PipedInputStream body = new PipedInputStream(feed, 64 * 1024);
    CompletableFuture<Void> writing =
        CompletableFuture.runAsync(
            () -> {
              try {
                FileTransfers.writeFile(
                    api, session, file, BodyPublishers.ofInputStream(() -> body), null);
              } catch (ApiException e) {
                throw new IllegalStateException(e);
              }
            });
    feed.write(new byte[1024 * 1024]);
    await().until(() -> !leftovers(dir).isEmpty());

    assertThat(Files.readString(Path.of(file))).isEqualTo("old");
    feed.write("new".getBytes(StandardCharsets.UTF_8));
    feed.close();
    writing.get(60, TimeUnit.SECONDS);
    assertThat(Files.size(Path.of(file))).isEqualTo(1024 * 1024 + 3);
    assertThat(leftovers(dir)).isEmpty();
  }

  @Test
  void listingsDescribeEntriesAndLinksAsThemselves() throws Exception {
    write(path("d/b.txt"), "bb".getBytes(StandardCharsets.UTF_8));
    files.fsCreateDirectory(session, new FsCreateDirectoryRequest().path(path("d/a")));
    Files.createSymbolicLink(dir.resolve("d/link"), Path.of("/etc"));

    List<FsFileInfo> listed = files.fsListFiles(session, path("d"));
    assertThat(listed).extracting(FsFileInfo::getName).containsExactly("a", "b.txt", "link");
    assertThat(listed)
        .extracting(FsFileInfo::getMode)
        .containsExactly("drwxr-xr-x", "-rw-r--r--", "lrwxrwxrwx");
    assertThat(listed).extracting(FsFileInfo::getSizeBytes).startsWith(0L, 2L);
    assertThat(listed.get(2).getIsDir()).isFalse();
    assertRefused(() -> files.fsListFiles(session, path("d/b.txt")), 409, "not_a_directory");
    assertRefused(() -> files.fsListFiles(session, path("nothing")), 404, "file_not_found");
  }

  @Test
  void filesMoveAndGo() throws Exception {
    write(path("one"), "1".getBytes(StandardCharsets.UTF_8));
    write(path("two"), "2".getBytes(StandardCharsets.UTF_8));
    files.fsMove(session, new FsMoveRequest().srcPath(path("one")).destPath(path("two")));
    assertThat(Files.readString(dir.resolve("two"))).isEqualTo("1");
    assertThat(dir.resolve("one")).doesNotExist();
    assertRefused(
        () -> files.fsMove(session, new FsMoveRequest().srcPath(path("one")).destPath(path("x"))),
        404,
        "file_not_found");
    Files.createDirectory(dir.resolve("sub"));
    assertRefused(
        () -> files.fsMove(session, new FsMoveRequest().srcPath(path("two")).destPath(path("sub"))),
        409,
        "is_a_directory");

    files.fsDeleteFile(session, new FsPathRequest().path(path("two")));
    assertThat(dir.resolve("two")).doesNotExist();
    assertRefused(
        () -> files.fsDeleteFile(session, new FsPathRequest().path(path("two"))),
        404,
        "file_not_found");
    assertRefused(
        () -> files.fsDeleteFile(session, new FsPathRequest().path(path("sub"))),
        409,
        "is_a_directory");
  }

  @Test
  void deletingADirectoryNeverFollowsALinkOutOfIt() throws Exception {
    Path outside = Files.createDirectory(dir.resolve("outside"));
    Files.writeString(outside.resolve("keep.txt"), "keep");
    write(path("tree/x/y.txt"), "y".getBytes(StandardCharsets.UTF_8));
    Files.createSymbolicLink(dir.resolve("tree/x/out"), outside);

    files.fsDeleteDirectory(session, new FsPathRequest().path(path("tree")));
    assertThat(dir.resolve("tree")).doesNotExist();
    assertThat(outside.resolve("keep.txt")).hasContent("keep");
    assertRefused(
        () -> files.fsDeleteDirectory(session, new FsPathRequest().path(path("outside/keep.txt"))),
        409,
        "not_a_directory");
    assertRefused(
        () -> files.fsDeleteDirectory(session, new FsPathRequest().path(path("tree"))),
        404,
        "file_not_found");
  }

  @Test
  void permissionsAreSetAndBadModesOrOwnersRefused() throws Exception {
    write(path("p.sh"), "#!/bin/sh".getBytes(StandardCharsets.UTF_8));
    files.fsSetFilePermissions(
        session,
        new FsSetFilePermissionsRequest()
            .path(path("p.sh"))
            .mode("0750")
            .group(Integer.toString(account.gid())));
    assertThat(files.fsFileInfo(session, path("p.sh")).getMode()).isEqualTo("-rwxr-x---");

    for (String mode : List.of("999", "rwx", "77777", "-1")) {
      assertRefused(
          () ->
              files.fsSetFilePermissions(
                  session, new FsSetFilePermissionsRequest().path(path("p.sh")).mode(mode)),
          400,
          "invalid_mode");
    }
    assertRefused(
        () ->
            files.fsSetFilePermissions(
                session,
                new FsSetFilePermissionsRequest()
                    .path(path("p.sh"))
                    .mode("644")
                    .owner("no-such-user-zz")),
        400,
        "unknown_owner");
    assertRefused(
        () -> FileTransfers.writeFile(api, session, path("m"), BodyPublishers.ofString("x"), "8"),
        400,
        "invalid_mode");
    assertThat(files.fsFileInfo(session, path("p.sh")).getMode()).isEqualTo("-rwxr-x---");
    assertThat(dir.resolve("m")).doesNotExist();
  }

  @Test
  void badPathsAndTheWrongKindOfFileAreRefusedWithTheirOwnCodes() throws Exception {
    for (String bad : List.of("relative/path", "/a\u0000b", "~/home")) {
      assertRefused(() -> files.fsFileInfo(session, bad), 400, "invalid_path");
    }
    assertRefused(() -> read(dir.toString()), 409, "is_a_directory");
    Path fifo = dir.resolve("fifo");
    assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
    assertRefused(() -> read(fifo.toString()), 409, "not_a_regular_file");
    assertRefused(() -> write(dir.toString(), new byte[1]), 409, "is_a_directory");
    write(path("plain"), new byte[1]);
    assertRefused(() -> write(path("plain/below"), new byte[1]), 409, "not_a_directory");
    assertRefused(() -> read(path("nothing")), 404, "file_not_found");
    assertRefused(
        () -> files.fsFileInfo("no-such-session", path("plain")), 404, "session_not_found");
    String tooLong = path("n".repeat(300));
    assertRefused(() -> files.fsFileInfo(session, tooLong), 400, "invalid_path");
    assertRefused(() -> write(tooLong, new byte[1]), 400, "invalid_path");
    Files.createDirectories(dir.resolve("tree/inner"));
    assertRefused(
        () ->
            files.fsMove(
                session, new FsMoveRequest().srcPath(path("tree")).destPath(path("tree/inner/x"))),
        400,
        "invalid_path");
    assertThat(dir.resolve("tree/inner")).isDirectory();
    assertThat(leftovers(dir)).isEmpty();
  }

  @Test
  void uploadWritesEveryFileWhicheverFieldComesFirst() throws Exception {
    Path local = Files.writeString(dir.resolve("local.txt"), "from a local file");
    FileTransfers.upload(
        api,
        session,
        List.of(
            FileTransfers.Upload.of(path("up/one.txt"), local),
            new FileTransfers.Upload(
                path("up/two.bin"), BodyPublishers.ofByteArray(new byte[] {0, 1, 2}))));
    assertThat(dir.resolve("up/one.txt")).hasContent("from a local file");
    assertThat(dir.resolve("up/two.bin")).hasBinaryContent(new byte[] {0, 1, 2});

    // As Kernel's SDK sends {file, dest_path}: the bytes first, the path after.
    HttpResponse<String> response =
        multipart(
            "/fs/upload",
            List.of(
                new Part("files[0][file]", "a.txt", "bytes before their path"),
                new Part("files[0][dest_path]", null, path("late/a.txt"))));
    assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    assertThat(dir.resolve("late/a.txt")).hasContent("bytes before their path");
    assertThat(leftovers(dir)).isEmpty();
    assertThat(leftovers(server.sessionsRoot().resolve(session))).isEmpty();
  }

  @Test
  void aRefusedUploadWritesNothing() throws Exception {
    List<List<Part>> refused =
        List.of(
            List.of(
                new Part("files[0][dest_path]", null, path("r/a")), new Part("other", null, "x")),
            List.of(
                new Part("files[0][dest_path]", null, path("r/a")),
                new Part("files[0][file]", "a", "a"),
                new Part("files[1][file]", "b", "no path for this one")),
            List.of(
                new Part("files[0][dest_path]", null, path("r/a")),
                new Part("files[0][dest_path]", null, path("r/b")),
                new Part("files[0][file]", "a", "a")),
            List.of(
                new Part("files[0][dest_path]", null, "relative"),
                new Part("files[0][file]", "a", "a")),
            List.of());
    for (List<Part> parts : refused) {
      HttpResponse<String> response = multipart("/fs/upload", parts);
      assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
      assertThat(response.body()).containsAnyOf("invalid_multipart", "invalid_path");
    }
    HttpResponse<String> notMultipart =
        send(
            request("/fs/upload")
                .header("Content-Type", "multipart/form-data")
                .POST(BodyPublishers.ofString("x")));
    assertThat(notMultipart.statusCode()).isEqualTo(400);
    assertThat(dir.resolve("r")).doesNotExist();
    assertThat(leftovers(dir)).isEmpty();
    assertThat(leftovers(server.sessionsRoot().resolve(session))).isEmpty();
  }

  @Test
  void aZipIsExtractedWithItsTreeAndDownloadedWhileItIsMade() throws Exception {
    byte[] zip =
        zip(
            Map.of(
                "top.txt", "top",
                "sub/", "",
                "sub/deeper/file.txt", "deep"));
    FileTransfers.uploadZip(api, session, path("unzipped"), BodyPublishers.ofByteArray(zip));
    assertThat(dir.resolve("unzipped/top.txt")).hasContent("top");
    assertThat(dir.resolve("unzipped/sub/deeper/file.txt")).hasContent("deep");
    Files.createSymbolicLink(dir.resolve("unzipped/link"), Path.of("/etc/hostname"));

    Map<String, String> downloaded = new TreeMap<>();
    try (ZipInputStream in =
        new ZipInputStream(FileTransfers.downloadDirZip(api, session, path("unzipped")))) {
      for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
        downloaded.put(entry.getName(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
      }
    }
    assertThat(downloaded)
        .containsExactly(
            Map.entry("sub/", ""),
            Map.entry("sub/deeper/", ""),
            Map.entry("sub/deeper/file.txt", "deep"),
            Map.entry("top.txt", "top"));
    assertThat(files.fsDownloadDirZip(session, path("unzipped"))).isNotEmpty();
    assertRefused(
        () -> FileTransfers.downloadDirZip(api, session, path("none")), 404, "file_not_found");
    assertRefused(
        () -> FileTransfers.downloadDirZip(api, session, path("unzipped/top.txt")),
        409,
        "not_a_directory");
  }

  @Test
  void archivesThatEscapeOrHoldLinksAreRefusedWithNothingExtracted() throws Exception {
    List<byte[]> attacks =
        List.of(
            zip(Map.of("fine.txt", "x", "../escaped.txt", "x")),
            zip(Map.of("fine.txt", "x", "sub/../../escaped.txt", "x")),
            zip(Map.of("fine.txt", "x", "/tmp/absolute-escape.txt", "x")),
            zipWithLink("fine.txt", "evil-link", "/etc"),
            "not a zip at all".getBytes(StandardCharsets.UTF_8));
    for (byte[] attack : attacks) {
      assertRefused(
          () ->
              FileTransfers.uploadZip(
                  api, session, path("target"), BodyPublishers.ofByteArray(attack)),
          400,
          "invalid_archive");
      // Already gone when the refusal comes, the held archive too.
      assertThat(leftovers(server.sessionsRoot().resolve(session))).isEmpty();
    }
    assertThat(dir.resolve("target")).doesNotExist();
    assertThat(dir.resolve("escaped.txt")).doesNotExist();
    assertThat(Path.of("/tmp/absolute-escape.txt")).doesNotExist();
    try (Stream<Path> held = Files.list(server.sessionsRoot().resolve(session))) {
      assertThat(held.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains("upload"));
    }
  }

  @Test
  void aWatchSeesWhatASpawnedProcessDoesInNewDirectoriesToo() throws Exception {
    Path watched = account.own(Files.createDirectory(dir.resolve("watched")));
    String watchId =
        files
            .fsWatchStart(session, new FsWatchRequest().path(watched.toString()).recursive(true))
            .getWatchId();
    try (WatchEvents events = WatchEvents.open(api, session, watchId)) {
      server
          .processes()
          .processSpawn(
              session,
              new io.procgate.client.model.ProcessSpawnRequest()
                  .command("sh")
                  .args(
                      List.of(
                          "-c",
                          "mkdir new && sleep 0.2 && echo hi > new/file.txt && mv new/file.txt moved.txt"))
                  .cwd(watched.toString()));
      List<String> seen = new ArrayList<>();
      while (!seen.contains("CREATE " + watched.resolve("moved.txt") + " false")) {
        FsWatchEvent event = events.next().orElseThrow();
        seen.add(event.getType() + " " + event.getPath() + " " + event.getIsDir());
        assertThat(event.getName()).isEqualTo(Path.of(event.getPath()).getFileName().toString());
      }
      assertThat(seen)
          .containsSubsequence(
              "CREATE " + watched.resolve("new") + " true",
              "CREATE " + watched.resolve("new/file.txt") + " false",
              "WRITE " + watched.resolve("new/file.txt") + " false",
              "RENAME " + watched.resolve("new/file.txt") + " false",
              "CREATE " + watched.resolve("moved.txt") + " false");

      files.fsWatchStop(session, watchId);
      assertThat(events.next()).as("the stream ends with the watch").isEmpty();
    }
    assertRefused(() -> files.fsWatchStop(session, watchId), 404, "watch_not_found");
    assertRefused(() -> WatchEvents.open(api, session, watchId), 404, "watch_not_found");
    assertRefused(
        () -> files.fsWatchStart(session, new FsWatchRequest().path(path("none"))),
        404,
        "file_not_found");
  }

  @Test
  void aWatchWhoseReaderFallsBehindReportsWhatItLost() throws Exception {
    Path watched = account.own(Files.createDirectory(dir.resolve("busy")));
    String watchId =
        files.fsWatchStart(session, new FsWatchRequest().path(watched.toString())).getWatchId();
    // Nobody reads while 3000 files appear: more than the watch keeps.
    server
        .processes()
        .processExec(
            session,
            new ProcessExecRequest()
                .command("sh")
                .args(List.of("-c", "i=0; while [ $i -lt 3000 ]; do : > f$i; i=$((i+1)); done"))
                .cwd(watched.toString()));
    try (WatchEvents events = WatchEvents.open(api, session, watchId)) {
      FsWatchEvent first = events.next().orElseThrow();
      assertThat(first.getType()).isEqualTo(FsWatchEvent.TypeEnum.OVERFLOW);
      assertThat(first.getPath()).isEqualTo(watched.toString());
      assertThat(first.getDropped()).isPositive();
      long kept = 0;
      while (kept < 3000 - first.getDropped()) {
        FsWatchEvent event = events.next().orElseThrow();
        assertThat(event.getType()).isEqualTo(FsWatchEvent.TypeEnum.CREATE);
        kept++;
      }
      assertThat(first.getDropped() + kept).isEqualTo(3000);
      files.fsWatchStop(session, watchId);
    }
  }

  @Test
  void aQuietWatchStreamCarriesKeepAlivesAndANewReaderTakesOver() throws Exception {
    Path watched = account.own(Files.createDirectory(dir.resolve("quiet")));
    String watchId =
        files.fsWatchStart(session, new FsWatchRequest().path(watched.toString())).getWatchId();
    HttpResponse<InputStream> first =
        server
            .client()
            .getHttpClient()
            .send(
                request("/fs/watch/" + watchId + "/events").GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(first.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("text/event-stream"));
    try (InputStream body = first.body()) {
      assertThat(new String(body.readNBytes(":keep-alive\n".length()), StandardCharsets.US_ASCII))
          .isEqualTo(":keep-alive\n");
      try (WatchEvents second = WatchEvents.open(api, session, watchId)) {
        // The first reader's stream ends once the second takes over.
        assertThat(body.readAllBytes())
            .asString(StandardCharsets.US_ASCII)
            .matches("(\n|:keep-alive\n)*");
        Files.writeString(watched.resolve("x"), "x");
        assertThat(second.next().orElseThrow().getType()).isEqualTo(FsWatchEvent.TypeEnum.CREATE);
      }
    }
    files.fsWatchStop(session, watchId);
  }

  @Test
  void deletingASessionEndsItsWatchesAndItsUploadsLeavingNothing() throws Exception {
    Path watched = account.own(Files.createDirectory(dir.resolve("w")));
    String watchId =
        files.fsWatchStart(session, new FsWatchRequest().path(watched.toString())).getWatchId();
    PipedOutputStream feed = new PipedOutputStream();
    PipedInputStream body = new PipedInputStream(feed, 64 * 1024);
    String target = path("uploading/big.bin");
    try (WatchEvents events = WatchEvents.open(api, session, watchId)) {
      CompletableFuture<Void> upload =
          CompletableFuture.runAsync(
              () -> {
                try {
                  FileTransfers.writeFile(
                      api, session, target, BodyPublishers.ofInputStream(() -> body), null);
                } catch (ApiException e) {
                  throw new IllegalStateException(e);
                }
              });
      feed.write(new byte[256 * 1024]);
      await().until(() -> Files.isDirectory(dir.resolve("uploading")) && !leftovers(dir).isEmpty());

      browsers.deleteBrowser(session);

      assertThat(events.next()).as("the watch's stream ends with its session").isEmpty();
      // The client's body now ends: what it sent after the session's end must not become a file.
      feed.close();
      assertThatThrownBy(() -> upload.get(30, TimeUnit.SECONDS))
          .as("the upload fails: the answer is 404, or the connection ends before it is read")
          .isInstanceOfSatisfying(
              ExecutionException.class,
              failure -> {
                if (failure.getCause().getCause() instanceof ApiException refused
                    && refused.getCode() != 0) {
                  assertThat(refused.getResponseBody()).contains("session_not_found");
                }
              });
    } finally {
      feed.close();
    }
    assertThat(leftovers(dir)).isEmpty();
    assertThat(dir.resolve("uploading/big.bin")).doesNotExist();
  }

  private record Part(String name, String filename, String content) {}

  private HttpRequest.Builder request(String route) {
    return HttpRequest.newBuilder(server.baseUri().resolve("/browsers/" + session + route))
        .header("Authorization", "Bearer " + server.token());
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return server
        .client()
        .getHttpClient()
        .send(
            request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> multipart(String route, List<Part> parts) throws Exception {
    String boundary = "it-boundary-7d1e";
    StringBuilder body = new StringBuilder();
    for (Part part : parts) {
      body.append("--")
          .append(boundary)
          .append("\r\nContent-Disposition: form-data; name=\"")
          .append(part.name())
          .append('"');
      if (part.filename() != null) {
        body.append("; filename=\"").append(part.filename()).append('"');
      }
      body.append("\r\n\r\n").append(part.content()).append("\r\n");
    }
    body.append("--").append(boundary).append("--\r\n");
    return send(
        request(route)
            .header("Content-Type", "multipart/form-data; boundary=" + boundary)
            .POST(BodyPublishers.ofString(body.toString())));
  }

  private static byte[] zip(Map<String, String> entries) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      for (Map.Entry<String, String> entry : new TreeMap<>(entries).entrySet()) {
        zip.putNextEntry(new ZipEntry(entry.getKey()));
        zip.write(entry.getValue().getBytes(StandardCharsets.UTF_8));
        zip.closeEntry();
      }
    }
    return bytes.toByteArray();
  }

  /** A zip with a file and a symbolic link, as Info-ZIP's {@code zip --symlinks} makes one. */
  private byte[] zipWithLink(String file, String link, String target) throws Exception {
    Path source = Files.createDirectories(dir.resolve("zip-source-" + link));
    Files.writeString(source.resolve(file), "x");
    Files.createSymbolicLink(source.resolve(link), Path.of(target));
    Path archive = dir.resolve(link + ".zip");
    Process zip =
        new ProcessBuilder("zip", "--symlinks", "-q", "-r", archive.toString(), ".")
            .directory(source.toFile())
            .redirectErrorStream(true)
            .start();
    String output = new String(zip.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(zip.waitFor()).as(output).isZero();
    assertThat(Files.isSymbolicLink(source.resolve(link))).isTrue();
    assertThat(Files.exists(archive, LinkOption.NOFOLLOW_LINKS)).isTrue();
    return Files.readAllBytes(archive);
  }
}
