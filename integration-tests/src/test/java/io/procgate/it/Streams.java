package io.procgate.it;

import io.procgate.client.model.ProcessStreamEvent;
import io.procgate.client.stream.ProcessOutput;
import io.procgate.testing.ServerProcess;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/** Reads a process's output stream on a thread of its own, keeping every event. */
final class Streams {
  final List<ProcessOutput.Event> events = new CopyOnWriteArrayList<>();
  final CompletableFuture<List<ProcessOutput.Event>> ended = new CompletableFuture<>();
  private final ProcessOutput output;

  private Streams(ProcessOutput output) {
    this.output = output;
    Thread reader =
        new Thread(
            () -> {
              try {
                for (Optional<ProcessOutput.Event> e = output.next();
                    e.isPresent();
                    e = output.next()) {
                  events.add(e.get());
                }
                ended.complete(events);
              } catch (RuntimeException e) {
                ended.completeExceptionally(e);
              }
            },
            "it-stream-reader");
    reader.setDaemon(true);
    reader.start();
  }

  static Streams read(ServerProcess server, String sessionId, String processId, String lastEventId)
      throws Exception {
    return new Streams(ProcessOutput.open(server.client(), sessionId, processId, lastEventId));
  }

  int keepAlives() {
    return output.keepAlives();
  }

  /** Everything the stream carried from {@code stream}, decoded. */
  static String text(List<ProcessOutput.Event> events, String stream) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (ProcessOutput.Event event : events) {
      ProcessStreamEvent data = event.data();
      if (data.getStream() != null && data.getStream().getValue().equals(stream)) {
        out.writeBytes(Base64.getDecoder().decode(data.getDataB64()));
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  String stdout() {
    return text(events, "stdout");
  }

  /** The exit event's code; it must be the last event. */
  static int exitCode(List<ProcessOutput.Event> events) {
    ProcessStreamEvent last = events.get(events.size() - 1).data();
    if (last.getEvent() == null) {
      throw new AssertionError("the last event is not the exit: " + last);
    }
    return last.getExitCode();
  }
}
