package io.procgate.server.resource;

import io.procgate.core.stream.OutputEvent;
import jakarta.ws.rs.sse.OutboundSseEvent;
import java.util.Base64;
import java.util.Locale;
import org.jboss.resteasy.reactive.server.jaxrs.SseImpl;

/**
 * Turns output events into Server-Sent Events in the frame format Kernel's SDKs parse: one {@code
 * data:} line of compact JSON per event, with an {@code id:} to resume after, and keep-alives as
 * comment lines (never an event without JSON data, which the SDKs would try to parse).
 */
final class OutputEvents {
  /** The {@code id} of the exit event: resuming after it yields nothing more. */
  static final String EXIT_ID = "exit";

  private OutputEvents() {}

  static OutboundSseEvent toSse(OutputEvent event) {
    if (event instanceof OutputEvent.Output output) {
      // Built by hand: this is the hot path of a stream, and base64 needs no JSON escaping.
      StringBuilder json =
          new StringBuilder(output.data().length * 4 / 3 + 64)
              .append("{\"stream\":\"")
              .append(output.source().name().toLowerCase(Locale.ROOT))
              .append("\",\"data_b64\":\"")
              .append(Base64.getEncoder().encodeToString(output.data()))
              .append('"');
      if (output.droppedBefore() > 0) {
        json.append(",\"dropped_bytes\":").append(output.droppedBefore());
      }
      return SseImpl.INSTANCE
          .newEventBuilder()
          .id(Long.toString(output.endOffset()))
          .data(json.append('}').toString())
          .build();
    }
    if (event instanceof OutputEvent.Exit exit) {
      return SseImpl.INSTANCE
          .newEventBuilder()
          .id(EXIT_ID)
          .data("{\"event\":\"exit\",\"exit_code\":" + exit.status().exitCode() + "}")
          .build();
    }
    return SseImpl.INSTANCE.newEventBuilder().comment("keep-alive").build();
  }
}
