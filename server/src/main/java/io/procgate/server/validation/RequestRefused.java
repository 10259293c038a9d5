package io.procgate.server.validation;

import java.util.List;

/**
 * A request that breaks the constraints of the spec, with one message per broken constraint. It
 * carries no stack trace: it is an answer to bad input, not a fault of the server.
 */
public final class RequestRefused extends RuntimeException {
  private final List<String> problems;

  RequestRefused(List<String> problems) {
    super(problems.get(0), null, false, false);
    this.problems = List.copyOf(problems);
  }

  /** One message per broken constraint, each naming the field or parameter it is about. */
  public List<String> problems() {
    return problems;
  }
}
