package io.procgate.server.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.procgate.server.PackageClasses;
import io.procgate.server.api.BrowserProcessesApi;
import io.procgate.server.api.BrowsersApi;
import io.procgate.server.api.model.BrowserCreateRequest;
import io.procgate.server.api.model.BrowserViewport;
import io.procgate.server.api.model.ProcessExecRequest;
import io.procgate.server.resource.BrowserProcessesResource;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The server's checks of the constraints the generator writes, on the generated code itself. */
class OperationConstraintsTest {

  @Test
  void everyGeneratedOperationAndModelHasConstraintsTheServerChecks() {
    List<Class<?>> apis =
        PackageClasses.in("io.procgate.server.api").stream().filter(Class::isInterface).toList();
    List<Class<?>> models = PackageClasses.in("io.procgate.server.api.model");

    assertThat(apis).isNotEmpty();
    assertThat(models).isNotEmpty();
    apis.stream()
        .flatMap(api -> Stream.of(api.getMethods()))
        .forEach(
            method -> assertThatNoException().isThrownBy(() -> OperationConstraints.of(method)));
    models.forEach(model -> assertThatNoException().isThrownBy(() -> ModelConstraints.of(model)));
  }

  @Test
  void aMissingBodyIsRefused() {
    assertThat(problems(exec(), "session", null)).containsExactly("the request body is required");
  }

  @Test
  void aValidBodyPasses() {
    ProcessExecRequest request = new ProcessExecRequest().command("echo").cwd("/tmp");
    assertThatNoException()
        .isThrownBy(() -> OperationConstraints.of(exec()).check(new Object[] {"s", request}));
  }

  @Test
  void everyBrokenConstraintIsNamedByTheFieldsJsonName() {
    ProcessExecRequest request = new ProcessExecRequest().cwd("relative");
    assertThat(problems(exec(), "s", request))
        .containsExactly("field 'command' is required", "field 'cwd' must match ^/.*");
  }

  @Test
  void aNestedModelIsCheckedAndNamedByItsPath() throws Exception {
    BrowserCreateRequest request =
        new BrowserCreateRequest()
            .timeoutSeconds(5)
            .startUrl("u".repeat(8193))
            .viewport(new BrowserViewport().width(0));
    Method create = BrowsersApi.class.getMethod("createBrowser", BrowserCreateRequest.class);
    assertThat(problems(create, request))
        .containsExactly(
            "field 'start_url' must be at most 8192 characters long",
            "field 'timeout_seconds' must be at least 10",
            "field 'viewport.height' is required",
            "field 'viewport.width' must be at least 1");
  }

  @Test
  void parametersAreNamedByWhereTheyCameFrom() throws Exception {
    Method list = BrowsersApi.class.getMethod("listBrowsers", Integer.class, Integer.class);
    assertThat(problems(list, -1, 101))
        .containsExactly(
            "query parameter 'limit' must be at most 100",
            "query parameter 'offset' must be at least 0");
    Method stream =
        BrowserProcessesApi.class.getMethod(
            "processStdoutStream", String.class, String.class, String.class);
    assertThat(problems(stream, "s", "p", "9".repeat(33)))
        .containsExactly("header 'Last-Event-ID' must be at most 32 characters long");
  }

  @Test
  void theConstraintsOfAnImplementationAreThoseOfItsInterface() throws Exception {
    Method implemented =
        BrowserProcessesResource.class.getMethod(
            "processExec", String.class, ProcessExecRequest.class);
    assertThat(problems(implemented, "s", null)).containsExactly("the request body is required");
  }

  @Test
  void itemsOfAContainerAreCheckedOneByOne() throws Exception {
    Method take = Shelf.class.getMethod("take", Shelf.Box.class);
    Shelf.Box box =
        new Shelf.Box(
            List.of("ok", "too long"),
            List.of(new Shelf.Box(List.of(), null, null)),
            Map.of("color", "green"));
    assertThat(problems(take, box))
        .containsExactly(
            "field 'inside[0].notes' is required",
            "field 'labels[1]' must be at most 3 characters long",
            "field 'notes.color' must be at most 3 characters long");
  }

  @Test
  void aConstraintTheServerDoesNotCheckFailsWhenRead() throws Exception {
    assertThatThrownBy(() -> OperationConstraints.of(Shelf.class.getMethod("mail", String.class)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("@Email");
    assertThatThrownBy(() -> OperationConstraints.of(Shelf.class.getMethod("count", String.class)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("@Min");
  }

  private static Method exec() {
    try {
      return BrowserProcessesApi.class.getMethod(
          "processExec", String.class, ProcessExecRequest.class);
    } catch (NoSuchMethodException e) {
      throw new AssertionError(e);
    }
  }

  private static List<String> problems(Method method, Object... arguments) {
    try {
      OperationConstraints.of(method).check(arguments);
    } catch (RequestRefused refused) {
      return refused.problems();
    }
    return List.of();
  }

  /** Declarations the generator does not make today, as a changed spec could. */
  public static class Shelf {
    public void take(@Valid @NotNull Box box) {}

    public void mail(@Email String address) {}

    public void count(@Min(1) String text) {}

    public record Box(List<String> labels, List<Box> inside, Map<String, String> notes) {
      public List<@Size(max = 3) String> getLabels() {
        return labels;
      }

      @Valid
      public List<Box> getInside() {
        return inside;
      }

      @NotNull
      public Map<String, @Size(max = 3) String> getNotes() {
        return notes;
      }
    }
  }
}
