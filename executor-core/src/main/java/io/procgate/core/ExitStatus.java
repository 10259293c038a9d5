package io.procgate.core;

import java.util.Optional;

/**
 * How a process ended: its exit code, or the number of the signal that ended it.
 *
 * @param code the code passed to {@code exit}, meaningful when {@code signal} is 0
 * @param signal the number of the terminating signal, or 0 when the process exited by itself
 */
public record ExitStatus(int code, int signal) {

  public static ExitStatus exited(int code) {
    return new ExitStatus(code, 0);
  }

  public static ExitStatus killedBy(int signal) {
    return new ExitStatus(0, signal);
  }

  /** Decodes a {@code wait} status word. */
  public static ExitStatus fromWaitStatus(int status) {
    int termSignal = status & 0x7f;
    return termSignal == 0 ? exited((status >> 8) & 0xff) : killedBy(termSignal);
  }

  /** The shell convention: the exit code, or 128 plus the signal number. */
  public int exitCode() {
    return signal == 0 ? code : 128 + signal;
  }

  /** The signal's name, such as {@code SIGKILL}, when a signal ended the process. */
  public Optional<String> signalName() {
    return signal == 0 ? Optional.empty() : Optional.of(Signal.fullNameOf(signal));
  }
}
