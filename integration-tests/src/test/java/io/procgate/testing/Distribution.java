package io.procgate.testing;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The distribution archive the build made, unpacked into a directory of its own and configured
 * through its conf/procgate.properties to serve on free ports with a token and a sessions root of
 * its own, as a user would set it up.
 */
public final class Distribution {
  private final Path home;
  private final Path sessionsRoot;
  private final int port;
  private final int managementPort;
  private final String token;

  private Distribution(Path home, Path sessionsRoot, int port, int managementPort, String token) {
    this.home = home;
    this.sessionsRoot = sessionsRoot;
    this.port = port;
    this.managementPort = managementPort;
    this.token = token;
  }

  /** Unpacks the archive named by {@code procgate.distribution} into {@code into}. */
  public static Distribution unpack(Path into) throws Exception {
    Path archive = Path.of(System.getProperty("procgate.distribution", ""));
    if (!Files.isRegularFile(archive)) {
      throw new IllegalStateException("no distribution at " + archive + "; run ./mvnw verify");
    }
    Process tar =
        new ProcessBuilder("tar", "xzf", archive.toString(), "-C", into.toString())
            .inheritIO()
            .start();
    if (tar.waitFor() != 0) {
      throw new IllegalStateException("cannot unpack " + archive);
    }
    Path home;
    try (Stream<Path> entries = Files.list(into)) {
      home = entries.filter(Files::isDirectory).findFirst().orElseThrow();
    }
    Distribution unpacked =
        new Distribution(
            home,
            Files.createDirectory(into.resolve("sessions")),
            ServerProcess.freePort(),
            ServerProcess.freePort(),
            "dist-" + UUID.randomUUID());
    Files.writeString(
        home.resolve("conf/procgate.properties"),
        String.join(
            "\n",
            "",
            "quarkus.http.port=" + unpacked.port,
            "procgate.management.port=" + unpacked.managementPort,
            "procgate.sessions.root=" + unpacked.sessionsRoot,
            "procgate.api-key=" + unpacked.token,
            ""),
        StandardOpenOption.APPEND);
    return unpacked;
  }

  /**
   * Starts {@code bin/procgate} on the Java at {@code javaHome}, with {@code javaOptions} as
   * JAVA_OPTS, no token in its environment (the configuration has it) and the C locale, its output
   * to {@code log}.
   */
  public Process launch(Path javaHome, String javaOptions, ProcessBuilder.Redirect log)
      throws IOException {
    ProcessBuilder builder =
        new ProcessBuilder(home.resolve("bin/procgate").toString())
            .redirectErrorStream(true)
            .redirectOutput(log);
    builder.environment().remove("KERNEL_API_KEY");
    // The locale that encodes file names as ASCII, which bin/procgate must not leave to the JVM.
    builder.environment().put("LC_ALL", "C");
    builder.environment().put("JAVA_HOME", javaHome.toString());
    builder.environment().put("JAVA_OPTS", javaOptions);
    return builder.start();
  }

  /** The unpacked directory, procgate-{version}. */
  public Path home() {
    return home;
  }

  public Path sessionsRoot() {
    return sessionsRoot;
  }

  public String token() {
    return token;
  }

  public URI baseUri() {
    return URI.create("http://127.0.0.1:" + port);
  }

  public URI managementUri() {
    return URI.create("http://127.0.0.1:" + managementPort);
  }
}
