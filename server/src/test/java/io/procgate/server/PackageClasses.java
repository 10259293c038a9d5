package io.procgate.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The top-level classes of one package of the server's build, generated or written by hand. */
public final class PackageClasses {
  private PackageClasses() {}

  public static List<Class<?>> in(String packageName) {
    try {
      Path directory =
          Path.of(
              PackageClasses.class
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
      return Class.forName(name, false, PackageClasses.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException(e);
    }
  }
}
