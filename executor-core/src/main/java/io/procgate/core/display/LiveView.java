package io.procgate.core.display;

import io.procgate.core.LaunchRequest;
import io.procgate.core.ProcessException;
import io.procgate.core.ProcessExecutor;
import io.procgate.core.ProcessTable;
import io.procgate.core.ServiceProcess;
import io.procgate.core.internal.io.LastLines;
import io.procgate.core.network.SessionNetwork;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A screen as VNC serves it, for the live view: an x11vnc of the session's display, started when
 * the first viewer comes and kept while the display lives, shared by every viewer. A read-only
 * viewer gets an x11vnc of its own that takes no input at all ({@code -viewonly}), so that what it
 * may do is the VNC server's to enforce, not the viewer's. Each listens on loopback, on a port it
 * finds free; x11vnc's are started one at a time across sessions, as two probing at once could
 * settle on one port.
 */
public final class LiveView {
  private static final Pattern PORT = Pattern.compile("^PORT=(\\d+)$");
  private static final int FIRST_PORT = 15900;
  private static final String LOOPBACK = "127.0.0.1";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(15);
  private static final int KEPT_LINES = 3;
  // Guarded by LiveView.class: the last x11vnc start queued, on any screen.
  private static CompletableFuture<?> lastStart = CompletableFuture.completedFuture(null);

  private final ProcessExecutor executor;
  private final ProcessTable owner;
  private final XDisplay display;
  // Guarded by this: the interactive server ([0]) and the read-only one ([1]), once started.
  private final Vnc[] servers = new Vnc[2];
  private boolean closed;

  public LiveView(ProcessExecutor executor, ProcessTable owner, XDisplay display) {
    this.executor = executor;
    this.owner = owner;
    this.display = display;
  }

  /**
   * The address the VNC servers listen on as the server reaches them: loopback, or the session's
   * own address when it has a network of its own.
   */
  public String host() {
    return owner.network().map(SessionNetwork::address).orElse(LOOPBACK);
  }

  /**
   * The port, at {@link #host()}, of the screen's VNC server, started if it does not run.
   *
   * @param viewOnly the server that takes no input
   * @return fails with a {@link DisplayException} when x11vnc is missing or cannot serve
   */
  public synchronized CompletableFuture<Integer> port(boolean viewOnly) {
    if (closed) {
      return CompletableFuture.failedFuture(
          new ProcessException(ProcessException.Kind.OWNER_CLOSED, "the session is ending"));
    }
    int which = viewOnly ? 1 : 0;
    Vnc current = servers[which];
    if (current == null || current.ended()) {
      current = new Vnc(viewOnly);
      servers[which] = current;
      Vnc starting = current;
      synchronized (LiveView.class) {
        lastStart = lastStart.handle((done, failure) -> null).thenCompose(x -> starting.start());
      }
    }
    return current.port;
  }

  /** Ends the VNC servers, as the session ends. */
  public CompletableFuture<Void> close() {
    List<Vnc> running;
    synchronized (this) {
      closed = true;
      running = Arrays.stream(servers).filter(v -> v != null).toList();
    }
    return CompletableFuture.allOf(
        running.stream().map(Vnc::stop).toArray(CompletableFuture[]::new));
  }

  /** One x11vnc. */
  private final class Vnc {
    final boolean viewOnly;
    final CompletableFuture<Integer> port = new CompletableFuture<>();
    private final LastLines lastLines = new LastLines(KEPT_LINES);
    private volatile ServiceProcess process;

    Vnc(boolean viewOnly) {
      this.viewOnly = viewOnly;
    }

    boolean ended() {
      ServiceProcess running = process;
      return port.isCompletedExceptionally() || (running != null && running.exit().isDone());
    }

    /** Starts it; completes once it listens, or has failed to. */
    CompletableFuture<Integer> start() {
      List<String> args =
          new ArrayList<>(
              List.of(
                  "-display",
                  display.name(),
                  // In a network of its own every address is the session's; else loopback only.
                  "-listen",
                  owner.network().isPresent() ? "0.0.0.0" : LOOPBACK,
                  "-noipv6",
                  "-rfbportv6",
                  "-1",
                  "-autoport",
                  Integer.toString(FIRST_PORT),
                  "-shared",
                  "-forever",
                  "-nopw",
                  "-norc",
                  "-quiet",
                  // Input goes through XTEST as the computer controls' does; no XDAMAGE on Xvfb.
                  "-noxdamage",
                  "-nowf",
                  "-xkb"));
      if (viewOnly) {
        args.add("-viewonly");
      }
      try {
        process =
            executor.startService(
                LaunchRequest.builder("x11vnc", Path.of("/"))
                    .args(args)
                    .env(display.environment())
                    .build(),
                owner,
                (stderr, line) -> {
                  Matcher listening = PORT.matcher(line);
                  if (!stderr && listening.matches()) {
                    port.complete(Integer.valueOf(listening.group(1)));
                  } else {
                    lastLines.add(line);
                  }
                });
      } catch (ProcessException e) {
        port.completeExceptionally(
            e.kind() == ProcessException.Kind.COMMAND_NOT_FOUND
                ? new DisplayException(
                    DisplayException.Kind.UNAVAILABLE,
                    "x11vnc is not installed here (Debian package x11vnc)",
                    e)
                : e);
        return port;
      }
      process
          .exit()
          .thenRun(
              () ->
                  port.completeExceptionally(
                      new DisplayException(
                          DisplayException.Kind.FAILED, "x11vnc ended" + lastLines.joined(": "))));
      port.orTimeout(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
          .exceptionally(
              failure -> {
                stop();
                return null;
              });
      return port;
    }

    CompletableFuture<Void> stop() {
      ServiceProcess running = process;
      return running == null
          ? CompletableFuture.completedFuture(null)
          : executor.terminate(running);
    }
  }
}
