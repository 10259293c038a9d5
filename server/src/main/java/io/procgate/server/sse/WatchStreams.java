package io.procgate.server.sse;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.procgate.core.files.DirectoryWatch;
import io.procgate.core.files.WatchEvent;
import io.procgate.server.config.ProcgateConfig;
import io.procgate.server.session.Session;
import io.smallrye.mutiny.Multi;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executor;
import org.jboss.resteasy.reactive.RestMulti;

/**
 * Opens a directory watch's events as an SSE stream for the current request, in Kernel's frame: one
 * {@code data:} line of compact JSON per change ({@code type}, {@code path}, {@code name}, {@code
 * is_dir}), a report of lost events as {@code OVERFLOW} with how many were {@code dropped}, and
 * keep-alives as comment lines. The session counts as in use while the stream is open.
 */
@ApplicationScoped
public class WatchStreams {
  private static final byte[] KEEP_ALIVE = ":keep-alive\n\n".getBytes(StandardCharsets.US_ASCII);

  private final ObjectMapper json;
  private final Duration keepAlive;

  WatchStreams(ObjectMapper json, ProcgateConfig config) {
    this.json = json;
    this.keepAlive = config.files().watchKeepAlive();
  }

  public Multi<byte[]> open(Session session, DirectoryWatch watch) {
    Context context = Vertx.currentContext();
    Executor delivery = task -> context.runOnContext(ignored -> task.run());
    Session.Use use = session.use();
    Multi<byte[]> frames =
        Multi.createFrom().publisher(watch.events(delivery, keepAlive)).map(this::toFrame);
    return RestMulti.fromMultiData(frames.onTermination().invoke(use::close))
        .header("Content-Type", "text/event-stream")
        .header("Cache-Control", "no-cache")
        .header("X-Accel-Buffering", "no")
        .build();
  }

  byte[] toFrame(WatchEvent event) {
    if (event.type() == WatchEvent.Type.KEEP_ALIVE) {
      return KEEP_ALIVE;
    }
    ObjectNode data = json.createObjectNode();
    data.put("type", event.type().name());
    data.put("path", event.path());
    if (event.type() == WatchEvent.Type.OVERFLOW) {
      data.put("dropped", event.dropped());
    } else {
      data.put("name", event.name());
      data.put("is_dir", event.directory());
    }
    byte[] body;
    try {
      body = json.writeValueAsBytes(data);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
    byte[] frame = new byte[5 + body.length + 2];
    System.arraycopy("data:".getBytes(StandardCharsets.US_ASCII), 0, frame, 0, 5);
    System.arraycopy(body, 0, frame, 5, body.length);
    frame[frame.length - 2] = '\n';
    frame[frame.length - 1] = '\n';
    return frame;
  }
}
