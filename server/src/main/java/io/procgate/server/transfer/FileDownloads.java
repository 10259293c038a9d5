package io.procgate.server.transfer;

import io.procgate.core.files.UserFiles;
import io.procgate.server.metrics.ServerMetrics;
import io.procgate.server.session.Session;
import io.smallrye.mutiny.Multi;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.File;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.jboss.resteasy.reactive.RestMulti;

/**
 * Files to the client, with the session user's rights: {@code read_file} sends the opened file with
 * {@code sendfile}, never through the heap; {@code download_dir_zip} streams the zip as it is made.
 */
@ApplicationScoped
public class FileDownloads {
  private final ServerMetrics metrics;

  FileDownloads(ServerMetrics metrics) {
    this.metrics = metrics;
  }

  /**
   * Opens the file as the session's user; Quarkus REST then sends it by its {@code /proc/self/fd}
   * path, so what is sent is what was opened, and the descriptor is closed with the response. Call
   * on the request's context.
   */
  public CompletableFuture<File> readFile(Session session, RoutingContext request, String path) {
    Executor context = on(Vertx.currentContext());
    return session
        .fileSystem()
        .openForReading(path)
        .thenApplyAsync(
            open -> {
              if (request.response().closed() || request.response().ended()) {
                open.close();
                throw new CancellationException("the client went away");
              }
              request.addEndHandler(
                  ended -> {
                    open.close();
                    metrics.fileRead(request.response().bytesWritten());
                  });
              return open.path().toFile();
            },
            context);
  }

  /** The directory as a zip, made while it is sent; the session is in use meanwhile. */
  public Multi<byte[]> zip(Session session, String path) {
    UserFiles.absolute(path);
    Executor delivery = on(Vertx.currentContext());
    Session.Use use = session.use();
    Multi<byte[]> zip =
        Multi.createFrom()
            .publisher(new ZipDownload(session.fileSystem(), path, delivery))
            .onItem()
            .invoke(chunk -> metrics.fileRead(chunk.length))
            .onTermination()
            .invoke(use::close);
    return RestMulti.fromMultiData(zip).header("Content-Type", "application/zip").build();
  }

  private static Executor on(Context context) {
    return task -> context.runOnContext(ignored -> task.run());
  }
}
