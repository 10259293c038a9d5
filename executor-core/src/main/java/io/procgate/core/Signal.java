package io.procgate.core;

import java.util.Optional;

/** The standard Linux signals, by the names the API uses ({@code TERM}, not {@code SIGTERM}). */
public enum Signal {
  HUP(1),
  INT(2),
  QUIT(3),
  ILL(4),
  TRAP(5),
  ABRT(6),
  BUS(7),
  FPE(8),
  KILL(9),
  USR1(10),
  SEGV(11),
  USR2(12),
  PIPE(13),
  ALRM(14),
  TERM(15),
  STKFLT(16),
  CHLD(17),
  CONT(18),
  STOP(19),
  TSTP(20),
  TTIN(21),
  TTOU(22),
  URG(23),
  XCPU(24),
  XFSZ(25),
  VTALRM(26),
  PROF(27),
  WINCH(28),
  IO(29),
  PWR(30),
  SYS(31);

  private static final Signal[] BY_NUMBER = new Signal[32];

  static {
    for (Signal signal : values()) {
      BY_NUMBER[signal.number] = signal;
    }
  }

  private final int number;

  Signal(int number) {
    this.number = number;
  }

  public int number() {
    return number;
  }

  /** The conventional name, such as {@code SIGTERM}. */
  public String fullName() {
    return "SIG" + name();
  }

  public static Optional<Signal> ofNumber(int number) {
    return number > 0 && number < BY_NUMBER.length
        ? Optional.of(BY_NUMBER[number])
        : Optional.empty();
  }

  /** The conventional name of any signal number, real-time ones included. */
  public static String fullNameOf(int number) {
    return ofNumber(number).map(Signal::fullName).orElse("SIG" + number);
  }
}
