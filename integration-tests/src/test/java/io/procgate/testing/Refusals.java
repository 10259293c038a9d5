package io.procgate.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.procgate.client.ApiException;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** Assertions on the server's {@code Error} answers, as the generated client reports them. */
public final class Refusals {
  private Refusals() {}

  /** {@code call} is answered with {@code status} and the {@code Error} code {@code code}. */
  public static void assertRefused(ThrowingCallable call, int status, String code) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.getCode()).as(e.getResponseBody()).isEqualTo(status);
              assertThat(e.getResponseBody()).contains("\"code\":\"" + code + "\"");
            });
  }
}
