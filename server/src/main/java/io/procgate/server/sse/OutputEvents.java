package io.procgate.server.sse;

import io.procgate.core.OutputEvent;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Turns output events into whole Server-Sent Events frames, in the format Kernel's SDKs parse: one
 * {@code data:} line of compact JSON per event, with an {@code id:} to resume after, and
 * keep-alives as comment lines (never an event without JSON data, which the SDKs would try to
 * parse).
 *
 * <p>Frames are built here as bytes, not handed to Quarkus REST as {@code OutboundSseEvent}s: its
 * SSE writer turns each event's data into a String and back several times over, about eight copies
 * of every byte of a stream that is mostly base64, and the stream ran at half the speed.
 */
final class OutputEvents {
  /** The {@code id} of the exit event: resuming after it yields nothing more. */
  static final String EXIT_ID = "exit";

  private static final byte[] KEEP_ALIVE = ascii(":keep-alive\n\n");
  private static final byte[] END = ascii("\"}\n\n");

  private OutputEvents() {}

  static byte[] toFrame(OutputEvent event) {
    if (event instanceof OutputEvent.Output output) {
      String source = output.source() == OutputEvent.Source.STDOUT ? "stdout" : "stderr";
      String dropped =
          output.droppedBefore() > 0 ? "\"dropped_bytes\":" + output.droppedBefore() + "," : "";
      byte[] head =
          ascii(
              "id:"
                  + output.endOffset()
                  + "\ndata:{"
                  + dropped
                  + "\"stream\":\""
                  + source
                  + "\",\"data_b64\":\"");
      byte[] data = Base64.getEncoder().encode(output.data());
      byte[] frame = new byte[head.length + data.length + END.length];
      System.arraycopy(head, 0, frame, 0, head.length);
      System.arraycopy(data, 0, frame, head.length, data.length);
      System.arraycopy(END, 0, frame, head.length + data.length, END.length);
      return frame;
    }
    if (event instanceof OutputEvent.Exit exit) {
      return ascii(
          "id:"
              + EXIT_ID
              + "\ndata:{\"event\":\"exit\",\"exit_code\":"
              + exit.status().exitCode()
              + "}\n\n");
    }
    return KEEP_ALIVE;
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }
}
