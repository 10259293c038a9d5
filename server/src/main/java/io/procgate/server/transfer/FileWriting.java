package io.procgate.server.transfer;

import io.procgate.core.files.FileException;
import io.procgate.core.files.PendingWrite;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.LongConsumer;

/**
 * One file of an upload: its bytes go through a Vert.x file to a {@link PendingWrite}, which is
 * committed once they are all written, or aborted. Bytes that arrive while the file is still being
 * opened wait here; the caller stops sending as soon as {@link #write} says so, which bounds them.
 * Confined to the request's context.
 */
final class FileWriting {
  private static final OpenOptions EXISTING_FOR_WRITING =
      new OpenOptions().setRead(false).setWrite(true).setCreate(false).setTruncateExisting(false);

  // Request bodies come in pieces of a few KiB: the file gets them in batches, a write each.
  private static final int BATCH = 512 * 1024;
  // One batch on the disk while the next arrives: with Vert.x's default of 128 KiB the request
  // would stop at every batch until the disk had it, and the network and the disk take turns.
  private static final int QUEUED = 2 * BATCH;

  private final Runnable ready;
  private final LongConsumer written;
  private final CompletableFuture<PendingWrite> opening;
  private final ArrayDeque<Buffer> waiting = new ArrayDeque<>();
  private final CompletableFuture<Void> opened = new CompletableFuture<>();
  private AsyncFile file;
  private Buffer batch = Buffer.buffer(BATCH + 64 * 1024);
  private boolean closing;
  private Throwable failure;
  // Set once aborted: completes when what was written is gone.
  private CompletableFuture<Void> removed;

  /**
   * @param opening the write, as {@code UserFiles.openForWriting} begins it
   * @param ready called when the file takes bytes again after {@link #write} said it did not
   * @param written told the length of every piece taken for the file
   */
  FileWriting(
      Vertx vertx,
      Context context,
      CompletableFuture<PendingWrite> opening,
      Runnable ready,
      LongConsumer written) {
    this.ready = ready;
    this.written = written;
    this.opening = opening;
    opening.whenComplete(
        (pending, failed) ->
            context.runOnContext(
                ignored -> {
                  if (failed != null) {
                    failed(failed);
                    return;
                  }
                  if (removed != null) {
                    // abort() removes it.
                    return;
                  }
                  vertx
                      .fileSystem()
                      .open(pending.path().toString(), EXISTING_FOR_WRITING)
                      .onComplete(
                          result -> {
                            if (result.failed()) {
                              failed(result.cause());
                            } else {
                              opened(result.result());
                            }
                          });
                }));
  }

  private void opened(AsyncFile opened) {
    if (removed != null) {
      opened.close();
      return;
    }
    file = opened;
    file.setWriteQueueMaxSize(QUEUED);
    file.exceptionHandler(this::failed);
    while (!waiting.isEmpty()) {
      file.write(waiting.poll());
    }
    this.opened.complete(null);
    if (file.writeQueueFull()) {
      file.drainHandler(ignored -> ready.run());
    } else {
      ready.run();
    }
  }

  /** A failure of the file: the next {@link #write} or {@link #commit()} reports it. */
  private void failed(Throwable cause) {
    if (failure == null) {
      failure = unwrap(cause);
      opened.completeExceptionally(failure);
      ready.run();
    }
  }

  /**
   * Writes {@code bytes}, or keeps them until the file is open.
   *
   * @return whether it takes more at once; if not, {@code ready} is called when it does
   */
  boolean write(Buffer bytes) {
    if (failure != null) {
      throw failure instanceof RuntimeException e ? e : new CompletionException(failure);
    }
    written.accept(bytes.length());
    if (file == null) {
      waiting.add(bytes);
      return false;
    }
    batch.appendBuffer(bytes);
    if (batch.length() < BATCH) {
      return true;
    }
    return flush();
  }

  /** Hands the batch to the file; false when the file's queue is full. */
  private boolean flush() {
    if (batch.length() > 0) {
      file.write(batch);
      batch = Buffer.buffer(BATCH + 64 * 1024);
    }
    if (file.writeQueueFull()) {
      file.drainHandler(ignored -> ready.run());
      return false;
    }
    return true;
  }

  /** Once every byte is written: the file closed, and renamed into place. */
  CompletableFuture<Void> commit() {
    return finish().thenCompose(pending -> pending.commit());
  }

  /**
   * Once every byte is written, the file closed but left under its temporary name: the write, for
   * the caller to commit or abort.
   */
  CompletableFuture<PendingWrite> finish() {
    return opened
        .thenCompose(
            none -> {
              CompletableFuture<Void> closed = new CompletableFuture<>();
              flush();
              closing = true;
              file.close()
                  .onComplete(
                      result -> {
                        if (result.failed()) {
                          closed.completeExceptionally(unwrap(result.cause()));
                        } else if (failure != null) {
                          closed.completeExceptionally(failure);
                        } else {
                          closed.complete(null);
                        }
                      });
              return closed;
            })
        .thenCompose(none -> opening);
  }

  /**
   * Stops writing and removes what was written; idempotent.
   *
   * @return completes once it is gone (the file, and the directories made for it)
   */
  CompletableFuture<Void> abort() {
    if (removed != null) {
      return removed;
    }
    waiting.clear();
    batch = Buffer.buffer();
    if (file != null && !closing) {
      closing = true;
      file.close();
    }
    // A write that failed to open left nothing behind.
    removed = opening.handle((pending, failed) -> pending).thenCompose(FileWriting::remove);
    return removed;
  }

  private static CompletableFuture<Void> remove(PendingWrite pending) {
    return pending == null ? CompletableFuture.completedFuture(null) : pending.abort();
  }

  private static Throwable unwrap(Throwable cause) {
    Throwable inner =
        cause instanceof CompletionException && cause.getCause() != null ? cause.getCause() : cause;
    if (inner instanceof IOException io) {
      return FileException.of(io);
    }
    if (inner.getCause() instanceof IOException io) {
      return FileException.of(io);
    }
    return inner;
  }
}
