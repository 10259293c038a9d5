package io.procgate.core.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.procgate.core.Account;
import io.procgate.core.internal.os.Accounts;
import io.procgate.core.internal.os.ProcessControl;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** File operations with one account's rights, on the real file system. */
@Timeout(30)
class UserFilesTest {
  @TempDir Path dir;
  private UserFiles files;
  private Account server;

  @BeforeEach
  void start() {
    server = Accounts.byUid(ProcessControl.uid()).orElseThrow();
    files = new UserFiles(server, server);
  }

  @AfterEach
  void stop() {
    files.close();
  }

  private static <T> T get(CompletableFuture<T> future) throws Exception {
    return future.get(20, TimeUnit.SECONDS);
  }

  private static FileException.Kind failure(CompletableFuture<?> future) {
    return refusal(future).kind();
  }

  private static FileException refusal(CompletableFuture<?> future) {
    try {
      future.get(20, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof FileException refused) {
        return refused;
      }
      throw new AssertionError(e.getCause());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("it did not fail");
  }

  @Test
  void entriesAreDescribedAsLsWouldAndListedByName() throws Exception {
    Path file = Files.writeString(dir.resolve("b.txt"), "hello");
    Files.setAttribute(file, "unix:mode", 0640);
    get(files.createDirectory(dir.resolve("a/deep").toString(), Optional.of("750")));
    Files.createSymbolicLink(dir.resolve("c-link"), Path.of("/etc"));

    List<FileEntry> entries = get(files.list(dir.toString()));

    assertThat(entries).extracting(FileEntry::name).containsExactly("a", "b.txt", "c-link");
    FileEntry a = entries.get(0);
    assertThat(a.directory()).isTrue();
    assertThat(a.sizeBytes()).isZero();
    assertThat(a.mode()).isEqualTo("drwxr-xr-x");
    assertThat(get(files.info(dir.resolve("a/deep").toString())).mode()).isEqualTo("drwxr-x---");
    assertThat(entries.get(1).mode()).isEqualTo("-rw-r-----");
    assertThat(entries.get(1).sizeBytes()).isEqualTo(5);
    assertThat(entries.get(2).mode()).startsWith("l");
    assertThat(entries.get(2).directory()).isFalse();
  }

  @Test
  void badInputIsRefusedWithItsKind() throws Exception {
    Files.writeString(dir.resolve("file"), "x");
    Files.createDirectory(dir.resolve("full"));
    Files.writeString(dir.resolve("full/inside"), "x");

    assertThatThrownBy(() -> files.info("relative/path"))
        .isInstanceOfSatisfying(
            FileException.class,
            e -> assertThat(e.kind()).isEqualTo(FileException.Kind.INVALID_PATH));
    assertThatThrownBy(() -> files.createDirectory(dir + "/x", Optional.of("999")))
        .isInstanceOfSatisfying(
            FileException.class,
            e -> assertThat(e.kind()).isEqualTo(FileException.Kind.INVALID_MODE));
    assertThat(failure(files.info(dir + "/missing"))).isEqualTo(FileException.Kind.NOT_FOUND);
    assertThat(failure(files.deleteFile(dir + "/missing"))).isEqualTo(FileException.Kind.NOT_FOUND);
    assertThat(failure(files.deleteFile(dir + "/full")))
        .isEqualTo(FileException.Kind.IS_A_DIRECTORY);
    assertThat(failure(files.deleteDirectory(dir + "/file")))
        .isEqualTo(FileException.Kind.NOT_A_DIRECTORY);
    assertThat(failure(files.list(dir + "/file"))).isEqualTo(FileException.Kind.NOT_A_DIRECTORY);
    assertThat(failure(files.openForReading(dir + "/full")))
        .isEqualTo(FileException.Kind.IS_A_DIRECTORY);
    assertThat(failure(files.openForWriting(dir + "/full", Optional.empty())))
        .isEqualTo(FileException.Kind.IS_A_DIRECTORY);
    assertThat(failure(files.move(dir + "/file", dir + "/full")))
        .isEqualTo(FileException.Kind.IS_A_DIRECTORY);
    assertThat(failure(files.createDirectory(dir + "/file/sub", Optional.empty())))
        .isEqualTo(FileException.Kind.NOT_A_DIRECTORY);
  }

  @Test
  void whatTheKernelRefusesIsTheClientsMistakeNamedAsTheClientNamedIt() throws Exception {
    Path tree = Files.createDirectories(dir.resolve("tree/inner"));
    Files.writeString(tree.resolve("file"), "x");
    String tooLong = dir + "/" + "n".repeat(300);

    assertThat(failure(files.info(tooLong))).isEqualTo(FileException.Kind.INVALID_PATH);
    assertThat(failure(files.createDirectory(tooLong, Optional.empty())))
        .isEqualTo(FileException.Kind.INVALID_PATH);
    assertThat(failure(files.openForWriting(tooLong, Optional.empty())))
        .isEqualTo(FileException.Kind.INVALID_PATH);
    FileException intoItself = refusal(files.move(dir + "/tree", tree + "/below"));
    assertThat(intoItself.kind()).isEqualTo(FileException.Kind.INVALID_PATH);
    assertThat(intoItself.getMessage()).contains("into itself");
    FileException noParent = refusal(files.move(dir + "/tree", dir + "/missing/tree"));
    assertThat(noParent.kind()).isEqualTo(FileException.Kind.NOT_FOUND);
    assertThat(noParent.getMessage()).isEqualTo("no such directory: " + dir + "/missing");

    assertThat(tree.resolve("file")).hasContent("x");
    try (var left = Files.list(dir)) {
      assertThat(left.map(p -> p.getFileName().toString())).containsExactly("tree");
    }
  }

  @Test
  void aWriteGoesThroughALinkAsTheShellsWouldAndTheLinkStays() throws Exception {
    Path real = Files.writeString(dir.resolve("real.txt"), "old");
    Files.createDirectory(dir.resolve("sub"));
    Files.createSymbolicLink(dir.resolve("sub/link"), Path.of("../real.txt"));
    Files.createSymbolicLink(dir.resolve("chain"), Path.of("sub/link"));
    Files.createSymbolicLink(dir.resolve("dangling"), Path.of("made-by-the-write.txt"));
    Files.createSymbolicLink(dir.resolve("loop-a"), Path.of("loop-b"));
    Files.createSymbolicLink(dir.resolve("loop-b"), Path.of("loop-a"));

    writeAll(dir + "/chain", "new");
    writeAll(dir + "/dangling", "born");

    assertThat(real).hasContent("new");
    assertThat(dir.resolve("chain")).isSymbolicLink();
    assertThat(dir.resolve("sub/link")).isSymbolicLink();
    assertThat(dir.resolve("made-by-the-write.txt")).hasContent("born");
    assertThat(dir.resolve("dangling")).isSymbolicLink();
    assertThat(failure(files.openForWriting(dir + "/loop-a", Optional.empty())))
        .isEqualTo(FileException.Kind.INVALID_PATH);
    try (var left = Files.list(dir)) {
      assertThat(left.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder(
              "real.txt", "sub", "chain", "dangling", "made-by-the-write.txt", "loop-a", "loop-b");
    }
  }

  private void writeAll(String path, String content) throws Exception {
    PendingWrite write = get(files.openForWriting(path, Optional.empty()));
    Files.writeString(write.path(), content);
    get(write.commit());
  }

  @Test
  void aFileThatDoesNotSayItsSizeIsReadWhole() throws Exception {
    for (String pseudo : List.of("/proc/version", "/sys/devices/system/cpu/online")) {
      assumeTrue(Files.isReadable(Path.of(pseudo)), pseudo);
      try (OpenFile open = get(files.openForReading(pseudo))) {
        assertThat(Files.readAllBytes(open.path()))
            .as(pseudo)
            .isNotEmpty()
            .isEqualTo(Files.readAllBytes(Path.of(pseudo)));
        assertThat(Files.size(open.path())).isEqualTo(Files.readAllBytes(Path.of(pseudo)).length);
      }
    }
    Path empty = Files.createFile(dir.resolve("empty"));
    try (OpenFile open = get(files.openForReading(empty.toString()))) {
      assertThat(Files.size(open.path())).isZero();
    }
  }

  @Test
  void aTreeIsNotHalfMovedToAnotherFileSystem() throws Exception {
    Path shm = Path.of("/dev/shm");
    assumeTrue(
        Files.isDirectory(shm)
            && !Files.getFileStore(shm).equals(Files.getFileStore(dir))
            && Files.isWritable(shm),
        "/dev/shm is another writable file system");
    Files.createDirectories(dir.resolve("tree/inner"));
    Path target = shm.resolve("procgate-test-" + ProcessHandle.current().pid());

    FileException refused = refusal(files.move(dir + "/tree", target.toString()));

    assertThat(refused.kind()).isEqualTo(FileException.Kind.NOT_EMPTY);
    assertThat(refused.getMessage()).contains("another file system");
    assertThat(target).doesNotExist();
    assertThat(dir.resolve("tree/inner")).isDirectory();
  }

  @Test
  void aMountPointIsInUse() throws Exception {
    Path mountPoint = Files.createDirectory(dir.resolve("mounted"));
    assumeTrue(run("mount", "-t", "tmpfs", "procgate-test", mountPoint.toString()) == 0, "mount");
    try {
      FileException refused = refusal(files.move(mountPoint.toString(), dir + "/moved"));
      assertThat(refused.kind()).isEqualTo(FileException.Kind.IN_USE);
      assertThat(refused.getMessage()).endsWith(mountPoint.toString());
    } finally {
      assertThat(run("umount", mountPoint.toString())).isZero();
    }
  }

  private static int run(String... command) throws Exception {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    process.getInputStream().readAllBytes();
    return process.waitFor();
  }

  @Test
  void writesIntoTheSameNewDirectoryAtOnceAllSucceed() throws Exception {
    // As the files of one upload: each finds the directory missing, one of them makes it.
    for (int round = 0; round < 20; round++) {
      List<CompletableFuture<PendingWrite>> writes = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        writes.add(files.openForWriting(dir + "/r" + round + "/new/f" + i, Optional.empty()));
      }
      for (CompletableFuture<PendingWrite> write : writes) {
        get(get(write).commit());
      }
      try (var made = Files.list(dir.resolve("r" + round + "/new"))) {
        assertThat(made).hasSize(8);
      }
    }
  }

  @Test
  void aWriteIsInvisibleUntilCommittedAndAnAbortLeavesNothing() throws Exception {
    PendingWrite write = get(files.openForWriting(dir + "/new/dirs/out.bin", Optional.of("600")));
    Files.writeString(write.path(), "content");
    assertThat(dir.resolve("new/dirs/out.bin")).doesNotExist();

    get(write.commit());

    assertThat(dir.resolve("new/dirs/out.bin")).hasContent("content");
    assertThat(Files.getAttribute(dir.resolve("new/dirs/out.bin"), "unix:mode")).isEqualTo(0100600);
    PendingWrite aborted = get(files.openForWriting(dir + "/new/dirs/out.bin", Optional.empty()));
    Files.writeString(aborted.path(), "other");
    get(aborted.abort());
    assertThat(dir.resolve("new/dirs/out.bin")).hasContent("content");
    try (var left = Files.list(dir.resolve("new/dirs"))) {
      assertThat(left).containsExactly(dir.resolve("new/dirs/out.bin"));
    }
  }

  @Test
  void theAccountsRightsAreTheLimitEvenForARootServer() throws Exception {
    assumeTrue(server.uid() == 0, "needs a root server");
    Account user = io.procgate.core.TestAccounts.unprivileged();
    try (UserFiles asUser = new UserFiles(user, server)) {
      Path rootOwned = Files.createDirectory(dir.resolve("root-only"));
      Files.setAttribute(dir, "unix:mode", 0755);
      Files.setAttribute(rootOwned, "unix:mode", 0755);

      assertThat(failure(asUser.openForReading("/etc/shadow")))
          .isEqualTo(FileException.Kind.PERMISSION_DENIED);
      assertThat(failure(asUser.openForWriting(rootOwned + "/file", Optional.empty())))
          .isEqualTo(FileException.Kind.PERMISSION_DENIED);
      Path own = Files.createDirectory(dir.resolve("users"));
      Files.setAttribute(own, "unix:uid", user.uid());
      PendingWrite write = get(asUser.openForWriting(own + "/mine", Optional.empty()));
      get(write.commit());
      assertThat(Files.getAttribute(own.resolve("mine"), "unix:uid")).isEqualTo(user.uid());
      assertThat(
              failure(
                  asUser.setPermissions(
                      own + "/mine", "644", Optional.of("root"), Optional.empty())))
          .isEqualTo(FileException.Kind.PERMISSION_DENIED);
      get(asUser.setPermissions(own + "/mine", "600", Optional.of(user.name()), Optional.empty()));
      assertThat(Files.getAttribute(own.resolve("mine"), "unix:mode")).isEqualTo(0100600);
      // The server's own threads keep the server's rights.
      assertThat(get(files.openForReading("/etc/shadow"))).isNotNull();
    }
  }

  @Test
  void aTreeIsZippedWithoutFollowingLinksAndExtractedBack() throws Exception {
    Files.createDirectories(dir.resolve("tree/sub"));
    Files.writeString(dir.resolve("tree/a.txt"), "a");
    Files.writeString(dir.resolve("tree/sub/b.txt"), "bb");
    Files.createSymbolicLink(dir.resolve("tree/out"), Path.of("/etc"));
    ByteArrayOutputStream zip = new ByteArrayOutputStream();

    get(files.zip(dir + "/tree", zip));

    Path archive = Files.write(dir.resolve("tree.zip"), zip.toByteArray());
    get(files.extractZip(archive, dir + "/copy", new ZipLimits(100, 1 << 20)));
    assertThat(dir.resolve("copy/a.txt")).hasContent("a");
    assertThat(dir.resolve("copy/sub/b.txt")).hasContent("bb");
    assertThat(dir.resolve("copy/out")).doesNotExist();
  }

  private Path zipOf(String... namesAndContents) throws Exception {
    Path archive = dir.resolve("attack-" + System.nanoTime() + ".zip");
    try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(archive))) {
      for (int i = 0; i < namesAndContents.length; i += 2) {
        zip.putNextEntry(new ZipEntry(namesAndContents[i]));
        zip.write(namesAndContents[i + 1].getBytes(StandardCharsets.UTF_8));
        zip.closeEntry();
      }
    }
    return archive;
  }

  @Test
  void hostileArchivesAreRefusedWithNothingExtracted() throws Exception {
    ZipLimits limits = new ZipLimits(10, 100);
    List<Path> attacks =
        List.of(
            zipOf("ok.txt", "fine", "../escape.txt", "x"),
            zipOf("ok.txt", "fine", "/etc/absolute.txt", "x"),
            zipOf("ok.txt", "fine", "a/../../up.txt", "x"),
            zipOf("ok.txt", "fine", "big.txt", "y".repeat(200)),
            zipOf(
                "1", "", "2", "", "3", "", "4", "", "5", "", "6", "", "7", "", "8", "", "9", "",
                "10", "", "11", ""));
    for (Path attack : attacks) {
      assertThat(failure(files.extractZip(attack, dir + "/target", limits)))
          .as(attack.toString())
          .isEqualTo(FileException.Kind.INVALID_ARCHIVE);
      assertThat(dir.resolve("target")).doesNotExist();
    }
    assertThat(dir.getParent().resolve("escape.txt")).doesNotExist();
    Path notAZip = Files.writeString(dir.resolve("plain.zip"), "not a zip");
    assertThat(failure(files.extractZip(notAZip, dir + "/target", limits)))
        .isEqualTo(FileException.Kind.INVALID_ARCHIVE);
  }

  /**
   * A zip of one stored entry whose central directory marks it a symbolic link (Unix mode 0120777),
   * as zip(1) stores links: java.util.zip cannot write that field.
   */
  private Path symbolicLinkZip(String name, String target) throws Exception {
    byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
    byte[] data = target.getBytes(StandardCharsets.UTF_8);
    CRC32 crc = new CRC32();
    crc.update(data);
    ByteBuffer zip =
        ByteBuffer.allocate(30 + 46 + 22 + 2 * nameBytes.length + data.length)
            .order(ByteOrder.LITTLE_ENDIAN);
    zip.putInt(0x04034b50)
        .putShort((short) 10)
        .putShort((short) 0)
        .putShort((short) 0)
        .putInt(0)
        .putInt((int) crc.getValue())
        .putInt(data.length)
        .putInt(data.length)
        .putShort((short) nameBytes.length)
        .putShort((short) 0)
        .put(nameBytes)
        .put(data);
    int central = zip.position();
    zip.putInt(0x02014b50)
        .putShort((short) (3 << 8 | 20))
        .putShort((short) 10)
        .putShort((short) 0)
        .putShort((short) 0)
        .putInt(0)
        .putInt((int) crc.getValue())
        .putInt(data.length)
        .putInt(data.length)
        .putShort((short) nameBytes.length)
        .putShort((short) 0)
        .putShort((short) 0)
        .putShort((short) 0)
        .putShort((short) 0)
        .putInt(0120777 << 16)
        .putInt(0)
        .put(nameBytes);
    int centralLength = zip.position() - central;
    zip.putInt(0x06054b50)
        .putShort((short) 0)
        .putShort((short) 0)
        .putShort((short) 1)
        .putShort((short) 1)
        .putInt(centralLength)
        .putInt(central)
        .putShort((short) 0);
    return Files.write(dir.resolve("link.zip"), zip.array());
  }

  @Test
  void aSymbolicLinkEntryIsRefused() throws Exception {
    Path archive = symbolicLinkZip("shadow", "/etc/shadow");

    assertThatThrownBy(
            () -> files.extractZip(archive, dir + "/target", new ZipLimits(10, 1000)).join())
        .cause()
        .isInstanceOfSatisfying(
            FileException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(FileException.Kind.INVALID_ARCHIVE);
              assertThat(e.getMessage()).contains("symbolic link");
            });
    assertThat(dir.resolve("target")).doesNotExist();
  }

  @Test
  void aRecursiveWatchSeesChangesInNewSubdirectoriesToo() throws Exception {
    DirectoryWatch watch = get(files.watch(dir.toString(), true));
    List<WatchEvent> seen = new CopyOnWriteArrayList<>();
    watch
        .events(Executors.newSingleThreadExecutor(), Duration.ofMillis(200))
        .subscribe(
            new Flow.Subscriber<>() {
              @Override
              public void onSubscribe(Flow.Subscription subscription) {
                subscription.request(Long.MAX_VALUE);
              }

              @Override
              public void onNext(WatchEvent event) {
                seen.add(event);
              }

              @Override
              public void onError(Throwable throwable) {}

              @Override
              public void onComplete() {}
            });

    Files.createDirectory(dir.resolve("sub"));
    await()
        .until(
            () ->
                seen.stream()
                    .anyMatch(
                        e ->
                            e.type() == WatchEvent.Type.CREATE
                                && e.name().equals("sub")
                                && e.directory()));
    // The new directory is watched once its creation is seen; what it gets from then on shows.
    await()
        .until(
            () -> {
              Files.writeString(dir.resolve("sub/probe"), "x");
              return seen.stream()
                  .anyMatch(e -> e.path().equals(dir.resolve("sub/probe").toString()));
            });
    Files.move(dir.resolve("sub/probe"), dir.resolve("sub/moved"));
    Files.delete(dir.resolve("sub/moved"));

    await()
        .until(
            () ->
                seen.stream()
                    .anyMatch(e -> e.type() == WatchEvent.Type.RENAME && e.name().equals("probe")));
    await()
        .until(
            () ->
                seen.stream()
                    .anyMatch(e -> e.type() == WatchEvent.Type.DELETE && e.name().equals("moved")));
    await().until(() -> seen.stream().anyMatch(e -> e.type() == WatchEvent.Type.KEEP_ALIVE));
    watch.close();
    watch.ended().get(5, TimeUnit.SECONDS);
  }
}
