package io.procgate.server.resource;

import io.procgate.core.files.UserFiles;
import io.procgate.server.api.BrowserFilesystemApi;
import io.procgate.server.api.model.FsCreateDirectoryRequest;
import io.procgate.server.api.model.FsFileInfo;
import io.procgate.server.api.model.FsMoveRequest;
import io.procgate.server.api.model.FsPathRequest;
import io.procgate.server.api.model.FsSetFilePermissionsRequest;
import io.procgate.server.api.model.FsWatchRequest;
import io.procgate.server.api.model.FsWatchStartResult;
import io.procgate.server.mapping.FileMapper;
import io.procgate.server.session.Session;
import io.procgate.server.session.SessionRegistry;
import io.procgate.server.sse.WatchStreams;
import io.procgate.server.transfer.FileDownloads;
import io.procgate.server.transfer.FileUploads;
import io.procgate.server.validation.Validated;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.smallrye.mutiny.Multi;
import java.io.File;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The file system of a browser session's machine, with the rights of the session's user. Every
 * method runs on the request's I/O thread; the file system work happens on {@link UserFiles}'s own
 * threads, the bytes move through {@link FileUploads} and {@link FileDownloads}.
 */
@Validated
public class BrowserFilesystemResource implements BrowserFilesystemApi {
  private final SessionRegistry sessions;
  private final FileUploads uploads;
  private final FileDownloads downloads;
  private final WatchStreams watchStreams;
  private final CurrentVertxRequest request;

  BrowserFilesystemResource(
      SessionRegistry sessions,
      FileUploads uploads,
      FileDownloads downloads,
      WatchStreams watchStreams,
      CurrentVertxRequest request) {
    this.sessions = sessions;
    this.uploads = uploads;
    this.downloads = downloads;
    this.watchStreams = watchStreams;
    this.request = request;
  }

  @Override
  public CompletionStage<Void> fsCreateDirectory(String id, FsCreateDirectoryRequest body) {
    return sessions.using(
        id,
        session ->
            session
                .fileSystem()
                .createDirectory(body.getPath(), Optional.ofNullable(body.getMode())));
  }

  @Override
  public CompletionStage<Void> fsDeleteDirectory(String id, FsPathRequest body) {
    return sessions.using(id, session -> session.fileSystem().deleteDirectory(body.getPath()));
  }

  @Override
  public CompletionStage<Void> fsDeleteFile(String id, FsPathRequest body) {
    return sessions.using(id, session -> session.fileSystem().deleteFile(body.getPath()));
  }

  @Override
  public CompletionStage<Void> fsMove(String id, FsMoveRequest body) {
    return sessions.using(
        id, session -> session.fileSystem().move(body.getSrcPath(), body.getDestPath()));
  }

  @Override
  public CompletionStage<Void> fsSetFilePermissions(String id, FsSetFilePermissionsRequest body) {
    return sessions.using(
        id,
        session ->
            session
                .fileSystem()
                .setPermissions(
                    body.getPath(),
                    body.getMode(),
                    Optional.ofNullable(body.getOwner()),
                    Optional.ofNullable(body.getGroup())));
  }

  @Override
  public CompletionStage<FsFileInfo> fsFileInfo(String id, String path) {
    return sessions.using(
        id, session -> session.fileSystem().info(path).thenApply(FileMapper::toDto));
  }

  @Override
  public CompletionStage<List<FsFileInfo>> fsListFiles(String id, String path) {
    return sessions.using(
        id,
        session ->
            session
                .fileSystem()
                .list(path)
                .thenApply(entries -> entries.stream().map(FileMapper::toDto).toList()));
  }

  @Override
  public CompletionStage<File> fsReadFile(String id, String path) {
    return sessions.using(id, session -> downloads.readFile(session, request.getCurrent(), path));
  }

  @Override
  public CompletionStage<Void> fsWriteFile(String id, String path, String mode) {
    return sessions.using(
        id,
        session ->
            uploads.writeFile(session, request.getCurrent(), path, Optional.ofNullable(mode)));
  }

  @Override
  public Multi<byte[]> fsDownloadDirZip(String id, String path) {
    return downloads.zip(sessions.require(id), path);
  }

  @Override
  public CompletionStage<Void> fsUpload(String id) {
    return sessions.using(id, session -> uploads.upload(session, request.getCurrent()));
  }

  @Override
  public CompletionStage<Void> fsUploadZip(String id) {
    return sessions.using(id, session -> uploads.uploadZip(session, request.getCurrent()));
  }

  @Override
  public CompletionStage<FsWatchStartResult> fsWatchStart(String id, FsWatchRequest body) {
    boolean recursive = Boolean.TRUE.equals(body.getRecursive());
    return sessions.using(
        id,
        session ->
            session
                .files()
                .startWatch(() -> session.fileSystem().watch(body.getPath(), recursive))
                .thenApply(watch -> new FsWatchStartResult().watchId(watch.id())));
  }

  @Override
  public Multi<byte[]> fsWatchEvents(String id, String watchId) {
    Session session = sessions.require(id);
    return watchStreams.open(session, session.files().watch(watchId));
  }

  @Override
  public CompletionStage<Void> fsWatchStop(String id, String watchId) {
    sessions.require(id).files().stopWatch(watchId);
    return CompletableFuture.completedFuture(null);
  }
}
