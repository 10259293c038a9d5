package io.procgate.core.display;

import io.procgate.core.ExitStatus;
import io.procgate.core.LaunchRequest;
import io.procgate.core.ProcessException;
import io.procgate.core.ProcessExecutor;
import io.procgate.core.ProcessTable;
import io.procgate.core.ServiceProcess;
import io.procgate.core.internal.io.LastLines;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A screen's recordings: ffmpeg grabs the X display and encodes H.264 into a fragmented MP4 on its
 * stdout, and the server writes that into a directory of its own, which the session's programs
 * cannot reach. ffmpeg runs as a process of the session (its CPU is the session's), but what it
 * writes is only trusted as far as the last whole MP4 box: a recording killed, or stopped at its
 * size limit, is cut there, so a finished video is always a whole one. Until it has finished it is
 * a {@code .part} file; one that never held a frame is removed.
 *
 * <p>One recording runs at a time. Thread-safe.
 */
public final class Replays {
  private static final Logger LOG = System.getLogger(Replays.class.getName());
  private static final SecureRandom IDS = new SecureRandom();
  // ffmpeg's last words, for the message when a recording cannot start.
  private static final int KEPT_LINES = 3;

  private final ProcessExecutor executor;
  private final ProcessTable owner;
  private final XDisplay display;
  private final int width;
  private final int height;
  private final Path directory;
  private final ReplayLimits limits;
  // Guarded by this, in the order they were started.
  private final Map<String, Recording> recordings = new LinkedHashMap<>();
  private Recording running;
  private boolean closed;

  public Replays(
      ProcessExecutor executor,
      ProcessTable owner,
      XDisplay display,
      int width,
      int height,
      Path directory,
      ReplayLimits limits) {
    this.executor = executor;
    this.owner = owner;
    this.display = display;
    this.width = width;
    this.height = height;
    this.directory = directory;
    this.limits = limits;
  }

  public ReplayLimits limits() {
    return limits;
  }

  /**
   * Starts recording at {@code framerate} frames a second, for at most {@code maxDuration} (the
   * limit without it).
   *
   * @return completes once ffmpeg sends its video's first bytes; fails with a {@link
   *     DisplayException} when a recording runs already, or ffmpeg cannot record
   */
  public synchronized CompletableFuture<Replay> start(
      int framerate, Optional<Duration> maxDuration) {
    if (framerate < 1 || framerate > 30) {
      throw new IllegalArgumentException("framerate " + framerate + " is not within 1 to 30");
    }
    Duration duration = maxDuration.orElse(limits.maxDuration());
    if (duration.toSeconds() < 1 || duration.compareTo(limits.maxDuration()) > 0) {
      throw new IllegalArgumentException(
          "a recording lasts from 1 to " + limits.maxDuration().toSeconds() + " s");
    }
    if (closed) {
      return CompletableFuture.failedFuture(
          new ProcessException(ProcessException.Kind.OWNER_CLOSED, "the session is ending"));
    }
    if (running != null) {
      return CompletableFuture.failedFuture(
          new DisplayException(
              DisplayException.Kind.REPLAY_RUNNING,
              "replay " + running.id + " is recording; stop it first"));
    }
    Recording recording;
    try {
      recording = new Recording(newId());
    } catch (IOException e) {
      return CompletableFuture.failedFuture(
          new DisplayException(
              DisplayException.Kind.FAILED, "cannot make the replay's file: " + e, e));
    }
    try {
      recording.service =
          executor.startService(
              request(framerate, duration, recording.id),
              owner,
              recording::write,
              (stderr, line) -> recording.lastLines.add(line));
    } catch (ProcessException e) {
      recording.discard();
      return CompletableFuture.failedFuture(
          e.kind() == ProcessException.Kind.COMMAND_NOT_FOUND
              ? new DisplayException(
                  DisplayException.Kind.UNAVAILABLE,
                  "ffmpeg is not installed here (Debian package ffmpeg)",
                  e)
              : e);
    }
    evictBeyondKept();
    recordings.put(recording.id, recording);
    running = recording;
    recording.service.exit().thenAcceptAsync(recording::finish);
    return recording.begun;
  }

  /**
   * Stops the recording, if it still runs.
   *
   * @return completes once its video is finished
   * @throws DisplayException when the session has no replay of that id
   */
  public CompletableFuture<Void> stop(String id) {
    Recording recording = require(id);
    recording.end();
    return recording.finished;
  }

  /** Every recording, the running one among them, in the order they started. */
  public synchronized List<Replay> list() {
    return recordings.values().stream().map(Recording::describe).toList();
  }

  /**
   * The finished video of replay {@code id}.
   *
   * @throws DisplayException when there is none of that id, or it still records
   */
  public Path video(String id) {
    Recording recording = require(id);
    if (!recording.finished.isDone()) {
      throw new DisplayException(
          DisplayException.Kind.REPLAY_RUNNING, "replay " + id + " is recording; stop it first");
    }
    return recording.video;
  }

  /**
   * Stops the running recording for good, as its session ends; the videos stay until the session's
   * directory goes.
   */
  public CompletableFuture<Void> close() {
    Recording last;
    synchronized (this) {
      closed = true;
      last = running;
    }
    if (last == null) {
      return CompletableFuture.completedFuture(null);
    }
    last.end();
    return last.finished;
  }

  private synchronized Recording require(String id) {
    Recording recording = recordings.get(id);
    if (recording == null) {
      throw new DisplayException(
          DisplayException.Kind.REPLAY_NOT_FOUND, "the session has no replay " + id);
    }
    return recording;
  }

  private void evictBeyondKept() {
    Deque<Recording> finished = new ArrayDeque<>();
    recordings.values().stream().filter(r -> r.finished.isDone()).forEach(finished::add);
    while (finished.size() >= limits.kept()) {
      Recording oldest = finished.removeFirst();
      recordings.remove(oldest.id);
      delete(oldest.video);
    }
  }

  private LaunchRequest request(int framerate, Duration duration, String id) {
    List<String> args = new ArrayList<>();
    args.addAll(List.of("-nostdin", "-hide_banner", "-loglevel", "error"));
    args.addAll(
        List.of(
            "-f",
            "x11grab",
            "-framerate",
            Integer.toString(framerate),
            "-video_size",
            width + "x" + height,
            "-draw_mouse",
            "1",
            "-i",
            display.name(),
            // H.264 in 4:2:0 takes even sizes only.
            "-vf",
            "crop=trunc(iw/2)*2:trunc(ih/2)*2"));
    args.addAll(List.of("-t", Long.toString(duration.toSeconds())));
    // A fragment every second at most, and at each keyframe (every two seconds): what was written
    // is whole up to the last one, so a recording killed loses a second of it.
    args.addAll(
        List.of(
            "-c:v",
            "libx264",
            "-preset",
            "veryfast",
            "-profile:v",
            "high",
            "-pix_fmt",
            "yuv420p",
            "-g",
            Integer.toString(2 * framerate),
            "-movflags",
            "+frag_keyframe+empty_moov+default_base_moof",
            "-frag_duration",
            "1000000",
            "-metadata",
            "title=" + id,
            "-f",
            "mp4",
            "pipe:1"));
    // Not in the replays' directory: the session's user may not enter it.
    return LaunchRequest.builder("ffmpeg", Path.of("/"))
        .args(args)
        .env(display.environment())
        .build();
  }

  private static String newId() {
    byte[] bytes = new byte[6];
    IDS.nextBytes(bytes);
    return "rp" + HexFormat.of().formatHex(bytes);
  }

  private static void delete(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      LOG.log(Level.WARNING, "cannot delete " + file, e);
    }
  }

  /** One recording: its file, written on the executor's loop as ffmpeg's output comes. */
  private final class Recording {
    final String id;
    final Instant startedAt = Instant.now();
    final Path part;
    final Path video;
    final FileChannel out;
    final Mp4Boxes boxes = new Mp4Boxes();
    final CompletableFuture<Replay> begun = new CompletableFuture<>();
    final CompletableFuture<Void> finished = new CompletableFuture<>();
    private final LastLines lastLines = new LastLines(KEPT_LINES);
    volatile ServiceProcess service;
    private volatile long written;
    private volatile Instant finishedAt;
    private volatile boolean ending;
    private boolean full;
    private IOException failure;

    Recording(String id) throws IOException {
      this.id = id;
      this.part = directory.resolve(id + ".mp4.part");
      this.video = directory.resolve(id + ".mp4");
      this.out =
          FileChannel.open(
              part,
              StandardOpenOption.CREATE_NEW,
              StandardOpenOption.WRITE,
              StandardOpenOption.TRUNCATE_EXISTING);
    }

    Replay describe() {
      return new Replay(id, startedAt, Optional.ofNullable(finishedAt), written);
    }

    /**
     * Loop thread. Writes to the page cache are short; a disk too slow for a video's few hundred
     * KiB a second would hold the loop, not lose bytes.
     */
    void write(ByteBuffer chunk) {
      if (full || failure != null) {
        return;
      }
      ByteBuffer taken = chunk.slice();
      long room = limits.maxBytes() - written;
      if (taken.remaining() > room) {
        taken.limit((int) room);
        full = true;
      }
      boxes.follow(taken);
      try {
        while (taken.hasRemaining()) {
          written += out.write(taken);
        }
      } catch (IOException e) {
        failure = e;
      }
      if (written > 0 && !begun.isDone()) {
        begun.complete(describe());
      }
      if (full || failure != null) {
        end();
      }
    }

    void end() {
      ServiceProcess process = service;
      if (process != null && !ending) {
        ending = true;
        executor.terminate(process);
      }
    }

    /** Once ffmpeg has exited and all it wrote is here. */
    void finish(ExitStatus status) {
      long whole = boxes.wholeEnd();
      boolean kept = false;
      try {
        out.truncate(whole);
        out.force(true);
        out.close();
        // Without a fragment after the header there is not one frame to see.
        kept = boxes.fragments() > 0;
        if (kept) {
          Files.move(part, video, StandardCopyOption.ATOMIC_MOVE);
        }
      } catch (IOException e) {
        LOG.log(Level.WARNING, "cannot finish replay " + id, e);
        kept = false;
      }
      if (!kept) {
        delete(part);
      }
      written = kept ? whole : 0;
      finishedAt = Instant.now();
      if (failure != null) {
        LOG.log(Level.WARNING, "replay " + id + " stopped: its file could not be written", failure);
      }
      synchronized (Replays.this) {
        if (running == this) {
          running = null;
        }
        if (!kept) {
          recordings.remove(id);
        }
      }
      if (!begun.isDone()) {
        String said = lastLines.joined(": ");
        begun.completeExceptionally(
            new DisplayException(
                DisplayException.Kind.FAILED, "ffmpeg could not record the screen" + said));
      }
      finished.complete(null);
    }

    void discard() {
      try {
        out.close();
      } catch (IOException e) {
        // Nothing was written.
      }
      delete(part);
    }
  }
}
