package io.procgate.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The top-level classes of a package of the server's build, generated ones included. */
public final class GeneratedClasses {
  private GeneratedClasses() {}

  public static List<Class<?>> in(String packageName) {
    try {
      Path directory =
          Path.of(
              GeneratedClasses.class
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
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Class<?> load(String name) {
    try {
      return Class.forName(name, false, GeneratedClasses.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException(e);
    }
  }
}
