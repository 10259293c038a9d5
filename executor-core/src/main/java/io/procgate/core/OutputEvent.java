package io.procgate.core;

/** What a reader of an {@link OutputBuffer} receives, in order. */
public sealed interface OutputEvent {

  /** Where output came from; a terminal's output is all {@code STDOUT}. */
  enum Source {
    STDOUT,
    STDERR
  }

  /**
   * Bytes the process wrote, from one source.
   *
   * @param data never modified once handed out
   * @param endOffset the offset just past the last byte: the position to resume after
   * @param droppedBefore bytes lost just before {@code data}, because the buffer overflowed before
   *     this reader got them
   */
  record Output(Source source, byte[] data, long endOffset, long droppedBefore)
      implements OutputEvent {}

  /** The process exited and all of its output came before; always the last event. */
  record Exit(ExitStatus status, long endOffset) implements OutputEvent {}

  /** Nothing happened for the heartbeat interval; lets a transport keep its connection alive. */
  record Heartbeat() implements OutputEvent {}
}
