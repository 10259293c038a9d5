package io.procgate.core;

import io.procgate.core.internal.launch.SpawnedChild;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/**
 * A process an owner runs for itself rather than for a request, such as a session's browser or its
 * display: started with {@link ProcessExecutor#startService}, it has its own process group like any
 * other and ends with the owner's groups, but it is not counted against the owner's process limit,
 * not listed among its spawned processes, and has no timeout. Its stdin is {@code /dev/null}; its
 * output goes to a {@link Lines} listener, line by line, or its stdout as it is to a {@link Bytes}
 * one, and is not kept.
 *
 * <p>Threading: {@link #exit()} completes on the executor's event loop, after the last line.
 */
public final class ServiceProcess {
  /** The longest line handed over; a longer one is cut there, the rest dropped. */
  static final int MAX_LINE = 8192;

  /**
   * Receives a service's output. Called on the executor's event loop, one line at a time, in order
   * per stream; it must not block.
   */
  @FunctionalInterface
  public interface Lines {
    /**
     * @param stderr whether the line came from stderr
     * @param line without its line break
     */
    void onLine(boolean stderr, String line);
  }

  /**
   * Receives a service's stdout as it comes, for output that is not lines. Called on the executor's
   * event loop; the chunk is only valid during the call.
   */
  @FunctionalInterface
  public interface Bytes {
    void onData(ByteBuffer chunk);
  }

  private final SpawnedChild child;
  private final ProcessTable owner;
  private final CompletableFuture<ExitStatus> exit = new CompletableFuture<>();
  private final CompletableFuture<ExitStatus> processExit = new CompletableFuture<>();

  ServiceProcess(SpawnedChild child, ProcessTable owner) {
    this.child = child;
    this.owner = owner;
  }

  /** The process id, which is also its process group id. */
  public int pid() {
    return child.pid();
  }

  /** Completes when the process has exited and its output has been handed over. */
  public CompletableFuture<ExitStatus> exit() {
    return exit;
  }

  /**
   * Completes as soon as the process has exited, which may be well before {@link #exit()}: children
   * it left behind may hold its output open for as long as they live.
   */
  public CompletableFuture<ExitStatus> processExit() {
    return processExit;
  }

  void start(ChildSupervisor supervisor, Bytes stdout, Lines lines) {
    supervisor.drain(
        child.stdout(), stdout != null ? stdout::onData : new LineSplitter(false, lines)::accept);
    supervisor.drain(child.stderr(), new LineSplitter(true, lines)::accept);
    supervisor.start(null);
  }

  ChildSupervisor.Listener listener() {
    return new ChildSupervisor.Listener() {
      @Override
      public void exited(ExitStatus status) {
        processExit.complete(status);
      }

      @Override
      public void finished(ExitStatus status, boolean timedOut, long exitNanos) {
        owner.forgetGroupIfEmpty(child.pid());
        processExit.complete(status);
        exit.complete(status);
      }
    };
  }

  /** Cuts a byte stream into lines; loop thread only. */
  private static final class LineSplitter {
    private final boolean stderr;
    private final Lines lines;
    private final byte[] line = new byte[MAX_LINE];
    private int length;

    LineSplitter(boolean stderr, Lines lines) {
      this.stderr = stderr;
      this.lines = lines;
    }

    void accept(ByteBuffer chunk) {
      while (chunk.hasRemaining()) {
        byte b = chunk.get();
        if (b == '\n') {
          lines.onLine(stderr, new String(line, 0, length, StandardCharsets.UTF_8));
          length = 0;
        } else if (length < line.length) {
          line[length++] = b;
        }
      }
    }
  }
}
