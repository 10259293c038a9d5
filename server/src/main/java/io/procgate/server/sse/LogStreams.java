package io.procgate.server.sse;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.procgate.core.files.FileTail;
import io.procgate.server.config.ProcgateConfig;
import io.procgate.server.session.Session;
import io.procgate.server.session.SessionFiles;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jboss.resteasy.reactive.RestMulti;

/**
 * A log's lines as an SSE stream for the current request, in Kernel's frame: one {@code data:} line
 * of compact JSON per line of the log ({@code event: "log"}, {@code message}, {@code timestamp}). A
 * followed log is read again every {@value #POLL_MILLIS} ms while nothing is new, and its stream
 * ends when the client leaves or the session ends; one not followed ends at the log's end. Lines
 * are read only as fast as the client takes them. The session counts as in use meanwhile.
 */
@ApplicationScoped
public class LogStreams {
  static final long POLL_MILLIS = 200;
  private static final byte[] KEEP_ALIVE = ":keep-alive\n\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] END = new byte[0];
  private static final Map<String, List<String>> HEADERS =
      Map.of(
          "Content-Type", List.of("text/event-stream"),
          "Cache-Control", List.of("no-cache"),
          "X-Accel-Buffering", List.of("no"),
          "X-SSE-Content-Type", List.of("application/json"));
  // What one event carries at most: a client reads lines in pieces of about this many bytes.
  private static final int BATCH_BYTES = 256 * 1024;

  private final ObjectMapper json;
  private final Duration keepAlive;

  LogStreams(ObjectMapper json, ProcgateConfig config) {
    this.json = json;
    this.keepAlive = config.files().watchKeepAlive();
  }

  /** A log opened to be streamed: its lines, and what must stay open while they are read. */
  public record Log(FileTail tail, AutoCloseable held) {}

  /**
   * Streams the log's lines once it is open; closes it once the stream ends. A failure to open it
   * is the request's error answer.
   *
   * @param follow whether to go on as the log grows
   */
  public Multi<byte[]> open(Session session, Uni<Log> opened, boolean follow) {
    return RestMulti.fromUniResponse(opened, log -> frames(session, log, follow), log -> HEADERS);
  }

  private Multi<byte[]> frames(Session session, Log log, boolean follow) {
    Follower follower = new Follower(log.tail(), follow);
    Session.Use use = session.use();
    SessionFiles.Transfer transfer;
    try {
      transfer = session.files().beginTransfer(gone -> follower.ended = true);
    } catch (RuntimeException gone) {
      use.close();
      closeQuietly(log);
      throw gone;
    }
    return Multi.createBy()
        .repeating()
        .uni(() -> next(follower))
        .until(frame -> frame == END)
        .onTermination()
        .invoke(
            () -> {
              transfer.close();
              use.close();
              closeQuietly(log);
            });
  }

  /** The next frames to send, waiting while a followed log has nothing new. */
  private Uni<byte[]> next(Follower follower) {
    return Uni.createFrom()
        .item(follower::poll)
        .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
        .flatMap(
            frames ->
                frames != null
                    ? Uni.createFrom().item(frames)
                    : Uni.createFrom()
                        .voidItem()
                        .onItem()
                        .delayIt()
                        .by(Duration.ofMillis(POLL_MILLIS))
                        .flatMap(waited -> next(follower)));
  }

  private final class Follower {
    final FileTail tail;
    final boolean follow;
    volatile boolean ended;
    private boolean drained;
    private long quietSince;

    Follower(FileTail tail, boolean follow) {
      this.tail = tail;
      this.follow = follow;
      // The answer's head goes with its first frame: a log with nothing new yet sends a
      // keep-alive at once, so that the client knows its stream is open.
      this.quietSince = System.nanoTime() - keepAlive.toNanos();
    }

    /** Frames, a keep-alive, {@link #END}, or null for nothing yet. Worker threads, one at once. */
    byte[] poll() {
      if (ended || drained) {
        return END;
      }
      List<String> lines;
      try {
        lines = tail.read(BATCH_BYTES);
        if (!follow && tail.atEnd()) {
          drained = true;
          lines = new ArrayList<>(lines);
          lines.addAll(tail.unfinished());
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      if (!lines.isEmpty()) {
        quietSince = System.nanoTime();
        return frames(lines);
      }
      if (drained) {
        return END;
      }
      if (System.nanoTime() - quietSince >= keepAlive.toNanos()) {
        quietSince = System.nanoTime();
        return KEEP_ALIVE;
      }
      return null;
    }
  }

  private byte[] frames(List<String> lines) {
    String now = Instant.now().toString();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (String line : lines) {
      ObjectNode event = json.createObjectNode();
      event.put("event", "log");
      event.put("message", line);
      event.put("timestamp", now);
      try {
        out.write("data:".getBytes(StandardCharsets.US_ASCII));
        out.write(json.writeValueAsBytes(event));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      out.write('\n');
      out.write('\n');
    }
    return out.toByteArray();
  }

  private static void closeQuietly(Log log) {
    try {
      log.tail().close();
      log.held().close();
    } catch (Exception e) {
      // Read-only: nothing to lose.
    }
  }
}
