package io.procgate.core.display;

import io.procgate.core.ExecResult;
import io.procgate.core.LaunchRequest;
import io.procgate.core.ProcessException;
import io.procgate.core.ProcessExecutor;
import io.procgate.core.ProcessTable;
import io.procgate.core.ServiceProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A headful browser's X display, seen and driven as a person at it would: screenshots, the mouse
 * and keyboard through the X server's XTEST extension, and the clipboard. xdotool sends the input,
 * xwd reads the screen and xclip the clipboard, each a short process of the session's; their work
 * goes in order, one action at a time, so that two clients' keys never interleave. A hidden pointer
 * is unclutter's, which keeps a blank cursor under the pointer wherever it goes.
 */
public final class Screen {
  private static final Pattern LOCATION = Pattern.compile("(?m)^X=(-?\\d+)\\s+^Y=(-?\\d+)");
  private static final int MAX_CLICKS = 100;
  private static final int MAX_STEPS = 1000;
  private static final int MAX_TEXT = 100_000;
  private static final Duration MAX_WAIT = Duration.ofSeconds(60);
  private static final int TOOL_SECONDS = 30;
  // Well below Linux's 128 KiB for one argument of a command.
  static final int MAX_ARGUMENT_BYTES = 32 * 1024;
  // Pointer moves one drag may make: xdotool takes them all as arguments of one command.
  private static final int MAX_MOVES = 10_000;
  private static final int SMOOTH_STEPS = 100;
  // How long Chromium takes, here, to read a changed keyboard mapping; only paid when one changes.
  private static final Duration KEYMAP_SETTLE = Duration.ofMillis(250);

  private final ProcessExecutor executor;
  private final ProcessTable owner;
  private final XDisplay display;
  private final int width;
  private final int height;
  private final Path scratch;
  // Guarded by this: the last action queued, and the keyboard's spare keys once read.
  private CompletableFuture<?> last = CompletableFuture.completedFuture(null);
  private CompletableFuture<Keymap> keymap;
  // Guarded by this: the unclutter that hides the pointer, while it is hidden.
  private ServiceProcess hider;
  private boolean closed;

  /**
   * The display {@code display} of {@code width} by {@code height} pixels, its tools run as
   * processes of {@code owner}, its screenshots made in {@code scratch}.
   */
  public Screen(
      ProcessExecutor executor,
      ProcessTable owner,
      XDisplay display,
      int width,
      int height,
      Path scratch) {
    this.executor = executor;
    this.owner = owner;
    this.display = display;
    this.width = width;
    this.height = height;
    this.scratch = scratch;
  }

  public int width() {
    return width;
  }

  public int height() {
    return height;
  }

  /** The screen, or {@code region} of it, as a PNG. */
  public CompletableFuture<byte[]> capture(Optional<Region> region) {
    Region area = region.orElse(new Region(0, 0, width, height));
    try {
      checkRegion(area);
    } catch (DisplayException e) {
      return CompletableFuture.failedFuture(e);
    }
    // Through a pipe, not a file: the session's programs could swap a file in its directories.
    return inTurn(
        () ->
            run("xwd", List.of("-root", "-silent"), Duration.ZERO)
                .thenApplyAsync(
                    done -> {
                      if (done.stdout().truncated()) {
                        throw new DisplayException(
                            DisplayException.Kind.FAILED,
                            "the screen's dump is larger than procgate.exec.output-cap");
                      }
                      XwdImage image = XwdImage.read(done.stdout().bytes());
                      if (area.x() + area.width() > image.width()
                          || area.y() + area.height() > image.height()) {
                        throw offScreen(
                            "the region is outside the "
                                + image.width()
                                + "x"
                                + image.height()
                                + " screen");
                      }
                      return PngWriter.encode(image, area);
                    }));
  }

  /** The clipboard's text; empty when nothing holds the clipboard, or holds no text. */
  public CompletableFuture<String> readClipboard() {
    return inTurn(
        () ->
            exec(
                    "xclip",
                    List.of("-selection", "clipboard", "-t", "UTF8_STRING", "-o"),
                    Duration.ZERO)
                .thenApply(
                    result ->
                        // xclip exits 1 when no program holds the clipboard, or holds no text.
                        result.status().code() == 0 && result.status().signal() == 0
                            ? new String(result.stdout().bytes(), StandardCharsets.UTF_8)
                            : ""));
  }

  /**
   * Puts {@code text} on the clipboard. xclip holds it, in the background, until another program
   * takes the clipboard or the session ends.
   */
  public CompletableFuture<Void> writeClipboard(String text) {
    return inTurn(
        () -> {
          Path file = scratch.resolve("clipboard-" + UUID.randomUUID());
          try {
            Files.writeString(file, text, StandardCharsets.UTF_8);
          } catch (IOException e) {
            return CompletableFuture.failedFuture(
                new DisplayException(
                    DisplayException.Kind.FAILED, "cannot stage the text: " + e, e));
          }
          return run(
                  "xclip",
                  List.of("-selection", "clipboard", "-t", "UTF8_STRING", "-i", file.toString()),
                  Duration.ZERO)
              .<Void>thenApply(result -> null)
              .whenComplete((done, failure) -> file.toFile().delete());
        });
  }

  /** Where the pointer is. */
  public CompletableFuture<Point> pointer() {
    return inTurn(this::readPointer);
  }

  /**
   * Does {@code actions} in order, each once the one before it is done; stops at the first that
   * fails, whose position (from 0) the failure names. Every action is checked before the first
   * runs: one that could not run refuses them all, and nothing is done.
   */
  public CompletableFuture<Void> perform(List<ScreenAction> actions) {
    for (int i = 0; i < actions.size(); i++) {
      try {
        check(actions.get(i));
      } catch (DisplayException e) {
        return CompletableFuture.failedFuture(
            actions.size() == 1
                ? e
                : new DisplayException(
                    e.kind(),
                    "action "
                        + i
                        + " ("
                        + name(actions.get(i))
                        + "), so none was done: "
                        + e.getMessage()));
      }
    }
    Duration total = actions.stream().map(Screen::waits).reduce(Duration.ZERO, Duration::plus);
    if (total.compareTo(MAX_WAIT) > 0) {
      return CompletableFuture.failedFuture(
          invalid(
              "the actions wait "
                  + total.toMillis()
                  + " ms in all; at most "
                  + MAX_WAIT.toSeconds()
                  + " s, so none was done"));
    }
    return inTurn(() -> performFrom(actions, 0));
  }

  private CompletableFuture<Void> performFrom(List<ScreenAction> actions, int index) {
    if (index == actions.size()) {
      return CompletableFuture.completedFuture(null);
    }
    ScreenAction action = actions.get(index);
    return one(action)
        .handle(
            (done, failure) -> {
              if (failure == null) {
                return performFrom(actions, index + 1);
              }
              Throwable cause = unwrap(failure);
              if (actions.size() == 1) {
                return CompletableFuture.<Void>failedFuture(cause);
              }
              String message =
                  "action "
                      + index
                      + " ("
                      + name(action)
                      + ") failed, the actions after it were not done: "
                      + cause.getMessage();
              // The cause's own kind, so that its code (too_many_processes, say) reaches the
              // client.
              RuntimeException failed =
                  cause instanceof ProcessException refused
                      ? new ProcessException(refused.kind(), message, cause)
                      : new DisplayException(
                          cause instanceof DisplayException display
                              ? display.kind()
                              : DisplayException.Kind.FAILED,
                          message,
                          cause);
              return CompletableFuture.<Void>failedFuture(failed);
            })
        .thenCompose(next -> next);
  }

  private CompletableFuture<Void> one(ScreenAction action) {
    if (action instanceof ScreenAction.Sleep sleep) {
      return CompletableFuture.runAsync(
          () -> {},
          CompletableFuture.delayedExecutor(sleep.duration().toNanos(), TimeUnit.NANOSECONDS));
    }
    if (action instanceof ScreenAction.TypeText type) {
      return typeInRuns(type);
    }
    if (action instanceof ScreenAction.SetCursor cursor) {
      return cursor.hidden() ? hideCursor() : showCursor();
    }
    boolean fromPointer =
        (action instanceof ScreenAction.Move move && move.smooth())
            || (action instanceof ScreenAction.Drag drag && drag.smooth());
    CompletableFuture<Point> start =
        fromPointer ? readPointer() : CompletableFuture.completedFuture(new Point(0, 0));
    return start.thenCompose(
        pointer -> {
          XdotoolScript script = XdotoolScript.of(action, pointer);
          return run("xdotool", script.args(), script.waits()).thenApply(result -> null);
        });
  }

  private synchronized CompletableFuture<Void> hideCursor() {
    if (hider != null && !hider.exit().isDone()) {
      return CompletableFuture.completedFuture(null);
    }
    if (closed) {
      return CompletableFuture.failedFuture(
          new ProcessException(ProcessException.Kind.OWNER_CLOSED, "the session is ending"));
    }
    // The classic one, not unclutter-xfixes (which may own the name unclutter): it gives the
    // pointer a blank image, which x11grab and x11vnc copy, where XFixes only stops the X server
    // drawing it. No idle time, and no move ever large enough to show the pointer again.
    LaunchRequest request =
        LaunchRequest.builder("unclutter-classic", Path.of("/"))
            .args(List.of("-display", display.name(), "-idle", "0", "-jitter", "9000000", "-root"))
            .env(display.environment())
            .build();
    try {
      hider = executor.startService(request, owner, (stderr, line) -> {});
    } catch (ProcessException e) {
      return CompletableFuture.failedFuture(unavailable("unclutter-classic", e));
    }
    return CompletableFuture.completedFuture(null);
  }

  /** Completes once the pointer is back: the X server restores it as unclutter's window goes. */
  private CompletableFuture<Void> showCursor() {
    ServiceProcess running;
    synchronized (this) {
      running = hider;
      hider = null;
    }
    return running == null ? CompletableFuture.completedFuture(null) : executor.terminate(running);
  }

  /** Ends what the screen keeps running, as the session ends. */
  public CompletableFuture<Void> close() {
    synchronized (this) {
      closed = true;
    }
    return showCursor();
  }

  /**
   * Types {@code type}'s text in pieces of at most as many distinct characters from beyond the
   * keyboard as {@link Keymap} has keys for, each piece once those characters have keys.
   */
  private CompletableFuture<Void> typeInRuns(ScreenAction.TypeText type) {
    return keymap()
        .thenCompose(
            keys -> {
              CompletableFuture<Void> typed = CompletableFuture.completedFuture(null);
              for (String piece : pieces(type.text(), Math.max(1, keys.capacity()))) {
                typed =
                    typed
                        .thenCompose(done -> bindKeys(keys, piece))
                        .thenCompose(
                            done -> {
                              XdotoolScript script =
                                  XdotoolScript.of(
                                      new ScreenAction.TypeText(piece, type.delay()),
                                      new Point(0, 0));
                              return run(
                                      "xdotool",
                                      script.args(),
                                      type.delay().multipliedBy(piece.length()))
                                  .thenApply(result -> null);
                            });
              }
              return typed;
            });
  }

  /**
   * Gives the characters of {@code piece} keys, and the browser the moment it takes to see them.
   */
  private CompletableFuture<Void> bindKeys(Keymap keys, String piece) {
    List<String> expressions = keys.capacity() == 0 ? List.of() : keys.bind(piece);
    if (expressions.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    List<String> args = new ArrayList<>();
    expressions.forEach(expression -> args.addAll(List.of("-e", expression)));
    return run("xmodmap", args, Duration.ZERO)
        .whenComplete(
            (done, failure) -> {
              if (failure != null) {
                forget(keys);
              }
            })
        .thenCompose(
            done ->
                CompletableFuture.runAsync(
                    () -> {},
                    CompletableFuture.delayedExecutor(
                        KEYMAP_SETTLE.toNanos(), TimeUnit.NANOSECONDS)));
  }

  private synchronized CompletableFuture<Keymap> keymap() {
    CompletableFuture<Keymap> known = keymap;
    if (known == null) {
      known =
          run("xmodmap", List.of("-pke"), Duration.ZERO)
              .thenApply(
                  result ->
                      new Keymap(new String(result.stdout().bytes(), StandardCharsets.UTF_8)));
      keymap = known;
      // A failed read is tried again next time.
      known.whenComplete(
          (keys, failure) -> {
            if (failure != null) {
              forget(null);
            }
          });
    }
    return known;
  }

  /**
   * Drops what is known of the keyboard, to be read afresh next time: its read failed ({@code keys}
   * null), or a binding of {@code keys} did, which may have left it half made.
   */
  private synchronized void forget(Keymap keys) {
    if (keymap != null && (keys == null || keymap.getNow(null) == keys)) {
      keymap = null;
    }
  }

  /**
   * {@code text} cut so that no piece has more than {@code distinct} characters needing keys, nor
   * more UTF-8 bytes than one argument of a command may have.
   */
  static List<String> pieces(String text, int distinct) {
    List<String> pieces = new ArrayList<>();
    Set<Integer> seen = new HashSet<>();
    int start = 0;
    int bytes = 0;
    for (int i = 0; i < text.length(); ) {
      int c = text.codePointAt(i);
      int size = c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
      if ((!Keymap.onKeyboard(c) && !seen.contains(c) && seen.size() == distinct)
          || bytes + size > MAX_ARGUMENT_BYTES) {
        pieces.add(text.substring(start, i));
        start = i;
        seen.clear();
        bytes = 0;
      }
      bytes += size;
      if (!Keymap.onKeyboard(c)) {
        seen.add(c);
      }
      i += Character.charCount(c);
    }
    pieces.add(text.substring(start));
    return pieces;
  }

  private CompletableFuture<Point> readPointer() {
    return run("xdotool", List.of("getmouselocation", "--shell"), Duration.ZERO)
        .thenApply(
            result -> {
              String out = new String(result.stdout().bytes(), StandardCharsets.UTF_8);
              Matcher location = LOCATION.matcher(out);
              if (!location.find()) {
                throw new DisplayException(
                    DisplayException.Kind.FAILED,
                    "xdotool did not say where the pointer is: " + out);
              }
              return new Point(
                  Integer.parseInt(location.group(1)), Integer.parseInt(location.group(2)));
            });
  }

  /** Runs {@code tool} on the display; fails unless it exits 0. */
  private CompletableFuture<ExecResult> run(String tool, List<String> args, Duration waits) {
    return exec(tool, args, waits)
        .thenApply(
            done -> {
              if (done.timedOut() || done.status().code() != 0 || done.status().signal() != 0) {
                String stderr = new String(done.stderr().bytes(), StandardCharsets.UTF_8).strip();
                throw new DisplayException(
                    DisplayException.Kind.FAILED,
                    tool
                        + (done.timedOut() ? " timed out" : " failed")
                        + (stderr.isEmpty() ? "" : ": " + stderr));
              }
              return done;
            });
  }

  /** Runs {@code tool} on the display, however it exits. */
  private CompletableFuture<ExecResult> exec(String tool, List<String> args, Duration waits) {
    LaunchRequest request =
        LaunchRequest.builder(tool, scratch)
            .args(args)
            .env(display.environment())
            .timeoutSeconds(TOOL_SECONDS + (int) waits.toSeconds())
            .build();
    CompletableFuture<ExecResult> result;
    try {
      result = executor.exec(request, owner).result();
    } catch (ProcessException e) {
      return CompletableFuture.failedFuture(unavailable(tool, e));
    }
    return result.handle(
        (done, failure) -> {
          if (failure != null) {
            Throwable cause = unwrap(failure);
            throw cause instanceof ProcessException refused
                ? unavailable(tool, refused)
                : new CompletionException(cause);
          }
          return done;
        });
  }

  /** A missing tool is the display's fault; any other refusal (too many processes) is as it is. */
  private static RuntimeException unavailable(String tool, ProcessException e) {
    if (e.kind() == ProcessException.Kind.COMMAND_NOT_FOUND) {
      String debian =
          switch (tool) {
            case "xwd" -> "x11-apps";
            case "xmodmap" -> "x11-xserver-utils";
            case "unclutter-classic" -> "unclutter";
            default -> tool;
          };
      return new DisplayException(
          DisplayException.Kind.UNAVAILABLE,
          tool + " is not installed here (Debian package " + debian + ")",
          e);
    }
    return e;
  }

  /** Queues {@code work} after whatever is queued; it runs whether that failed or not. */
  private synchronized <T> CompletableFuture<T> inTurn(Supplier<CompletableFuture<T>> work) {
    CompletableFuture<T> next = last.handle((done, failure) -> null).thenCompose(x -> work.get());
    last = next;
    return next;
  }

  private void check(ScreenAction action) {
    if (action instanceof ScreenAction.Click click) {
      checkPoint(click.at());
      KeyNames.check(click.holdKeys());
      if (click.count() < 1 || click.count() > MAX_CLICKS) {
        throw invalid("num_clicks must be 1 to " + MAX_CLICKS + ", not " + click.count());
      }
    } else if (action instanceof ScreenAction.Move move) {
      checkPoint(move.to());
      KeyNames.check(move.holdKeys());
      move.duration().ifPresent(this::checkWait);
    } else if (action instanceof ScreenAction.Scroll scroll) {
      checkPoint(scroll.at());
      KeyNames.check(scroll.holdKeys());
      if (Math.abs((long) scroll.deltaX()) > MAX_CLICKS
          || Math.abs((long) scroll.deltaY()) > MAX_CLICKS) {
        throw invalid("a scroll turns the wheel at most " + MAX_CLICKS + " ticks each way");
      }
    } else if (action instanceof ScreenAction.Drag drag) {
      if (drag.path().size() < 2) {
        throw invalid("a drag's path needs at least 2 points, not " + drag.path().size());
      }
      drag.path().forEach(this::checkPoint);
      KeyNames.check(drag.holdKeys());
      if (drag.stepsPerSegment() < 1 || drag.stepsPerSegment() > MAX_STEPS) {
        throw invalid("steps_per_segment must be 1 to " + MAX_STEPS);
      }
      checkWait(drag.delay());
      drag.duration().ifPresent(this::checkWait);
      long moves =
          (long) (drag.smooth() ? SMOOTH_STEPS : drag.stepsPerSegment()) * (drag.path().size() - 1);
      if (moves > MAX_MOVES) {
        throw invalid(
            "a drag moves the pointer at most "
                + MAX_MOVES
                + " times (steps_per_segment times the path's segments; 100 a segment when smooth)");
      }
      if (!drag.smooth()) {
        checkWait(
            drag.stepDelay()
                .multipliedBy((long) drag.stepsPerSegment() * (drag.path().size() - 1)));
      }
    } else if (action instanceof ScreenAction.TypeText type) {
      if (type.text().length() > MAX_TEXT) {
        throw invalid("text of at most " + MAX_TEXT + " characters can be typed at once");
      }
      checkTypeable(type.text());
      checkWait(type.delay().multipliedBy(type.text().length()));
    } else if (action instanceof ScreenAction.PressKeys keys) {
      if (keys.keys().isEmpty()) {
        throw invalid("keys names no key");
      }
      KeyNames.check(keys.keys());
      KeyNames.check(keys.holdKeys());
      checkWait(keys.duration());
    } else if (action instanceof ScreenAction.Sleep sleep) {
      checkWait(sleep.duration());
    }
  }

  /** Refuses what no key types: control characters but tab and newline, and broken UTF-16. */
  private static void checkTypeable(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isISOControl(c) && c != '\t' && c != '\n') {
        throw invalid(
            "text holds the control character U+"
                + String.format("%04X", (int) c)
                + ", which no key types");
      }
      if (Character.isHighSurrogate(c)
          && (i + 1 == text.length() || !Character.isLowSurrogate(text.charAt(i + 1)))) {
        throw invalid("text holds half a character (an unpaired surrogate)");
      }
      if (Character.isLowSurrogate(c)
          && (i == 0 || !Character.isHighSurrogate(text.charAt(i - 1)))) {
        throw invalid("text holds half a character (an unpaired surrogate)");
      }
    }
  }

  /** How long {@code action} waits on purpose, in all. */
  private static Duration waits(ScreenAction action) {
    if (action instanceof ScreenAction.Sleep sleep) {
      return sleep.duration();
    } else if (action instanceof ScreenAction.PressKeys keys) {
      return keys.duration();
    } else if (action instanceof ScreenAction.TypeText type) {
      return type.delay().multipliedBy(type.text().length());
    } else if (action instanceof ScreenAction.Move move && move.smooth()) {
      return move.duration().orElse(Curve.defaultDuration(0));
    } else if (action instanceof ScreenAction.Drag drag) {
      Duration moving =
          drag.smooth()
              ? drag.duration().orElse(Duration.ZERO)
              : drag.stepDelay()
                  .multipliedBy((long) drag.stepsPerSegment() * (drag.path().size() - 1));
      return drag.delay().plus(moving);
    }
    return Duration.ZERO;
  }

  private void checkPoint(Point point) {
    if (point.x() < 0 || point.y() < 0 || point.x() >= width || point.y() >= height) {
      throw offScreen(
          "("
              + point.x()
              + ", "
              + point.y()
              + ") is off the "
              + width
              + "x"
              + height
              + " screen; x runs from 0 to "
              + (width - 1)
              + " and y from 0 to "
              + (height - 1));
    }
  }

  private void checkRegion(Region region) {
    if (region.width() < 1 || region.height() < 1) {
      throw invalid("a region needs a width and a height of at least 1");
    }
    if (region.x() < 0
        || region.y() < 0
        || (long) region.x() + region.width() > width
        || (long) region.y() + region.height() > height) {
      throw offScreen(
          "the region "
              + region.width()
              + "x"
              + region.height()
              + " at ("
              + region.x()
              + ", "
              + region.y()
              + ") is not inside the "
              + width
              + "x"
              + height
              + " screen");
    }
  }

  private void checkWait(Duration wait) {
    if (wait.isNegative() || wait.compareTo(MAX_WAIT) > 0) {
      throw invalid(
          "an action may wait 0 to " + MAX_WAIT.toSeconds() + " s, not " + wait.toMillis() + " ms");
    }
  }

  private static String name(ScreenAction action) {
    if (action instanceof ScreenAction.Click) {
      return "click_mouse";
    } else if (action instanceof ScreenAction.Move) {
      return "move_mouse";
    } else if (action instanceof ScreenAction.Scroll) {
      return "scroll";
    } else if (action instanceof ScreenAction.Drag) {
      return "drag_mouse";
    } else if (action instanceof ScreenAction.TypeText) {
      return "type_text";
    } else if (action instanceof ScreenAction.PressKeys) {
      return "press_key";
    } else if (action instanceof ScreenAction.SetCursor) {
      return "set_cursor";
    }
    return "sleep";
  }

  private static DisplayException offScreen(String message) {
    return new DisplayException(DisplayException.Kind.OFF_SCREEN, message);
  }

  private static DisplayException invalid(String message) {
    return new DisplayException(DisplayException.Kind.INVALID_ACTION, message);
  }

  private static Throwable unwrap(Throwable failure) {
    return failure instanceof CompletionException && failure.getCause() != null
        ? failure.getCause()
        : failure;
  }
}
