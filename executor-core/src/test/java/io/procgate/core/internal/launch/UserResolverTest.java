package io.procgate.core.internal.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.procgate.core.Account;
import io.procgate.core.ProcessException;
import io.procgate.core.ProcessException.Kind;
import io.procgate.core.internal.os.Accounts;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The privilege rules, from the point of view of a server that does not run as root. */
class UserResolverTest {
  private final Account unprivileged =
      new Account("server", 4242, 4242, List.of(4242), "/home/server", "/bin/sh");
  private final UserResolver resolver = new UserResolver(unprivileged, Optional.empty());

  @Test
  void withoutOptionsTheChildRunsAsTheServerWithoutASwitch() {
    Account target = resolver.resolve(Optional.empty(), false, resolver.defaultUser());

    assertThat(target).isEqualTo(unprivileged);
    assertThat(resolver.needsSwitch(target)).isFalse();
  }

  @Test
  void anUnprivilegedServerCannotRunAsRootOrAsAnotherUser() {
    assertThatThrownBy(() -> resolver.resolve(Optional.empty(), true, resolver.defaultUser()))
        .isInstanceOfSatisfying(
            ProcessException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(Kind.PRIVILEGE_REQUIRED);
              assertThat(e.getMessage()).contains("root");
            });
    String other = Accounts.byUid(0).orElseThrow().name();
    assertThatThrownBy(() -> resolver.resolve(Optional.of(other), false, resolver.defaultUser()))
        .isInstanceOfSatisfying(
            ProcessException.class, e -> assertThat(e.kind()).isEqualTo(Kind.PRIVILEGE_REQUIRED));
  }

  @Test
  void anUnprivilegedServerCannotDefaultToAnotherUser() {
    assertThatThrownBy(() -> new UserResolver(unprivileged, Optional.of("root")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("default user");
  }
}
