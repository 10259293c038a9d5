package io.procgate.core.files;

import io.procgate.core.internal.io.EventLoop;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads file operations run on, however many accounts' rights they take: up to {@code max}
 * for operations, none while idle, and one event loop for every watch, made by the first.
 */
final class FileThreads implements AutoCloseable {
  private final ThreadPoolExecutor operations;
  private EventLoop watchLoop;

  FileThreads(int max) {
    AtomicInteger count = new AtomicInteger();
    this.operations =
        new ThreadPoolExecutor(
            0,
            max,
            30,
            TimeUnit.SECONDS,
            new SynchronousQueue<>(),
            runnable -> {
              Thread thread = new Thread(runnable, "procgate-files-" + count.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
  }

  /**
   * @throws java.util.concurrent.RejectedExecutionException when {@code max} operations run
   */
  void execute(Runnable operation) {
    operations.execute(operation);
  }

  synchronized EventLoop watchLoop() {
    if (watchLoop == null) {
      watchLoop = new EventLoop("procgate-watch");
    }
    return watchLoop;
  }

  @Override
  public synchronized void close() {
    operations.shutdownNow();
    if (watchLoop != null) {
      watchLoop.close();
    }
  }
}
