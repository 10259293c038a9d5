package io.procgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.procgate.server.validation.Validated;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every interface generated from the spec has a resource implementing it, so an operation added to
 * the spec under a new tag cannot go unserved. (Under an existing tag the compiler already refuses
 * a resource that misses it.) Every resource checks the constraints the spec puts on its input.
 */
class GeneratedApiCoverageTest {

  @Test
  void everyGeneratedApiInterfaceIsImplemented() {
    List<Class<?>> apis =
        PackageClasses.in("io.procgate.server.api").stream()
            .filter(Class::isInterface)
            .filter(type -> type.getSimpleName().endsWith("Api"))
            .toList();
    List<Class<?>> resources = PackageClasses.in("io.procgate.server.resource");

    assertThat(apis).isNotEmpty();
    for (Class<?> api : apis) {
      assertThat(resources)
          .as("a resource implementing " + api.getSimpleName())
          .anyMatch(resource -> !resource.isInterface() && api.isAssignableFrom(resource));
    }
  }

  @Test
  void everyResourceChecksTheConstraintsOfItsInterface() {
    List<Class<?>> resources =
        PackageClasses.in("io.procgate.server.resource").stream()
            .filter(resource -> resource.getSimpleName().endsWith("Resource"))
            .toList();

    assertThat(resources).isNotEmpty();
    assertThat(resources).allMatch(resource -> resource.isAnnotationPresent(Validated.class));
  }
}
