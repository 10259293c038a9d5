package io.procgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.procgate.server.validation.Validated;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every interface generated from the spec has a resource implementing it, so an operation added to
 * the spec under a new tag cannot go unserved. (Under an existing tag the compiler already refuses
 * a resource that misses it.) Every resource checks the constraints the spec puts on its input.
 */
class GeneratedApiCoverageTest {

  @Test
  void everyGeneratedApiInterfaceIsImplemented() throws Exception {
    List<Class<?>> apis =
        classesIn("io.procgate.server.api").stream()
            .filter(Class::isInterface)
            .filter(type -> type.getSimpleName().endsWith("Api"))
            .toList();
    List<Class<?>> resources = classesIn("io.procgate.server.resource");

    assertThat(apis).isNotEmpty();
    for (Class<?> api : apis) {
      assertThat(resources)
          .as("a resource implementing " + api.getSimpleName())
          .anyMatch(resource -> !resource.isInterface() && api.isAssignableFrom(resource));
    }
  }

  @Test
  void everyResourceChecksTheConstraintsOfItsInterface() throws Exception {
    List<Class<?>> resources =
        classesIn("io.procgate.server.resource").stream()
            .filter(resource -> resource.getSimpleName().endsWith("Resource"))
            .toList();

    assertThat(resources).isNotEmpty();
    assertThat(resources).allMatch(resource -> resource.isAnnotationPresent(Validated.class));
  }

  private static List<Class<?>> classesIn(String packageName)
      throws IOException, URISyntaxException {
    Path directory =
        Path.of(
            GeneratedApiCoverageTest.class
                .getClassLoader()
                .getResource(packageName.replace('.', '/'))
                .toURI());
    try (Stream<Path> files = Files.list(directory)) {
      return files
          .map(file -> file.getFileName().toString())
          .filter(name -> name.endsWith(".class") && !name.contains("$"))
          .<Class<?>>map(name -> load(packageName + "." + name.substring(0, name.length() - 6)))
          .toList();
    }
  }

  private static Class<?> load(String name) {
    try {
      return Class.forName(name, false, GeneratedApiCoverageTest.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException(e);
    }
  }
}
