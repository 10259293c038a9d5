package io.procgate.server.config;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import org.jboss.logging.Logger;

/**
 * Warns at start when the JVM encodes file names in anything but UTF-8. Java takes that encoding
 * from the locale ({@code sun.jnu.encoding}, on every version, 18 and newer too), and where none is
 * set, as in most containers and many services, it is ASCII: a file whose name has any other
 * character can then be neither listed, read nor written through the files API. {@code
 * bin/procgate} starts the JVM in C.UTF-8 when the environment's locale is not UTF-8.
 */
@Singleton
class FileNameEncoding {
  private static final Logger LOG = Logger.getLogger(FileNameEncoding.class);

  void check(@Observes StartupEvent event) {
    String encoding = System.getProperty("sun.jnu.encoding", "");
    if (!encoding.equalsIgnoreCase(StandardCharsets.UTF_8.name())) {
      LOG.warnf(
          "File names are encoded as %s, not UTF-8: files whose names are not in it cannot be"
              + " used; start the server in a UTF-8 locale (LC_ALL=C.UTF-8), as bin/procgate does",
          encoding);
    }
  }
}
