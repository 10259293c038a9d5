package io.procgate.server.session;

import io.procgate.core.files.DirectoryWatch;
import io.procgate.server.error.ApiException;
import io.procgate.server.error.ErrorCode;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * What a session has open in its file system: its directory watches, at most a configured number,
 * and the uploads and log streams under way. All end with the session, so that no watch or stream
 * outlives it and no upload leaves a file behind. Thread-safe.
 */
public final class SessionFiles {
  /** An upload or a log stream under way; closing it says it has ended, well or not. */
  public interface Transfer extends AutoCloseable {
    @Override
    void close();
  }

  private final String sessionId;
  private final int maxWatches;
  // Guarded by this.
  private final Map<String, DirectoryWatch> watches = new HashMap<>();
  private final Set<Consumer<ApiException>> transfers = new LinkedHashSet<>();
  private int startingWatches;
  private boolean ended;

  SessionFiles(String sessionId, int maxWatches) {
    this.sessionId = sessionId;
    this.maxWatches = maxWatches;
  }

  /**
   * Starts a watch if the session has room for one more; it is the session's until it is stopped,
   * ends by itself (its directory went away), or the session ends.
   */
  public CompletableFuture<DirectoryWatch> startWatch(
      Supplier<CompletableFuture<DirectoryWatch>> start) {
    synchronized (this) {
      requireOpen();
      if (watches.size() + startingWatches >= maxWatches) {
        throw new ApiException(
            ErrorCode.TOO_MANY_WATCHES,
            "session " + sessionId + " holds its maximum of " + maxWatches + " watches");
      }
      startingWatches++;
    }
    CompletableFuture<DirectoryWatch> started;
    try {
      started = start.get();
    } catch (RuntimeException e) {
      synchronized (this) {
        startingWatches--;
      }
      throw e;
    }
    return started
        .whenComplete(
            (watch, failure) -> {
              synchronized (this) {
                startingWatches--;
              }
            })
        .thenApply(
            watch -> {
              synchronized (this) {
                if (!ended) {
                  watches.put(watch.id(), watch);
                  watch.ended().thenRun(() -> forget(watch));
                  return watch;
                }
              }
              watch.close();
              throw gone();
            });
  }

  private synchronized void forget(DirectoryWatch watch) {
    watches.remove(watch.id(), watch);
  }

  /** The watch by its id; 404 when the session has none such. */
  public synchronized DirectoryWatch watch(String watchId) {
    DirectoryWatch watch = watches.get(watchId);
    if (watch == null) {
      throw new ApiException(
          ErrorCode.WATCH_NOT_FOUND,
          "session " + sessionId + " has no watch " + ApiException.quoted(watchId));
    }
    return watch;
  }

  /** Stops the watch; its reader's stream ends. */
  public void stopWatch(String watchId) {
    DirectoryWatch watch;
    synchronized (this) {
      watch = watch(watchId);
      watches.remove(watchId);
    }
    watch.close();
  }

  /**
   * Registers an upload or a log stream; should the session end before it is closed, {@code abort}
   * is called with the reason, once, from whichever thread ends the session.
   */
  public synchronized Transfer beginTransfer(Consumer<ApiException> abort) {
    requireOpen();
    transfers.add(abort);
    return () -> {
      synchronized (this) {
        transfers.remove(abort);
      }
    };
  }

  /** Stops every watch and aborts every transfer; later ones are refused. */
  void end() {
    List<DirectoryWatch> open;
    List<Consumer<ApiException>> aborts;
    synchronized (this) {
      ended = true;
      open = List.copyOf(watches.values());
      watches.clear();
      aborts = List.copyOf(transfers);
      transfers.clear();
    }
    open.forEach(DirectoryWatch::close);
    ApiException gone = gone();
    aborts.forEach(abort -> abort.accept(gone));
  }

  private void requireOpen() {
    if (ended) {
      throw gone();
    }
  }

  private ApiException gone() {
    return new ApiException(ErrorCode.SESSION_NOT_FOUND, "session " + sessionId + " was deleted");
  }
}
