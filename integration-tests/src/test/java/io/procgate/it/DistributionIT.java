package io.procgate.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.procgate.client.ProcgateClient;
import io.procgate.client.api.BrowserFilesystemApi;
import io.procgate.client.api.BrowserProcessesApi;
import io.procgate.client.api.BrowsersApi;
import io.procgate.client.model.BrowserCreateRequest;
import io.procgate.client.model.FsCreateDirectoryRequest;
import io.procgate.client.model.FsFileInfo;
import io.procgate.client.model.ProcessExecRequest;
import io.procgate.client.stream.FileTransfers;
import io.procgate.testing.Distribution;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution as a new user meets it: unpacked into a fresh directory, configured through
 * conf/procgate.properties, started with bin/procgate, scraped, stopped with SIGTERM.
 */
@Timeout(240)
class DistributionIT {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Path CURRENT_JAVA_HOME =
      Path.of(ProcessHandle.current().info().command().orElseThrow()).getParent().getParent();
  private static final Path JAVA_25 =
      Path.of(
          System.getProperty(
              "procgate.it.newer-java", "/usr/lib/jvm/temurin-25-jdk-amd64/bin/java"));

  @TempDir Path work;
  Distribution distribution;
  Path home;

  @BeforeEach
  void unpack() throws Exception {
    // The sessions root is in it: sessions' own accounts must pass through.
    Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwx--x--x"));
    distribution = Distribution.unpack(work);
    home = distribution.home();
    assertThat(home.getFileName().toString()).startsWith("procgate-");
    assertThat(home.resolve("bin/procgate")).isExecutable();
  }

  @Test
  void startsFromTheArchiveServesScrapesAndStopsWithNothingLeft() throws Exception {
    runSession(CURRENT_JAVA_HOME, "-XX:SharedArchiveFile=app-cds.jsa", "app-cds.jsa");
  }

  @Test
  void onJava25ItStartsWithTheTrainedAotCache() throws Exception {
    assumeTrue(Files.isExecutable(JAVA_25), "no Java 25 at " + JAVA_25);
    assumeTrue(Files.exists(home.resolve("lib/app.aot")), "the build trained no AOT cache");
    runSession(JAVA_25.getParent().getParent(), "-XX:AOTCache=app.aot", "app.aot");
  }

  @Test
  void refusesAJavaOlderThan17() throws Exception {
    Path old = Files.createDirectories(work.resolve("jdk16/bin"));
    Path java = old.resolve("java");
    Files.writeString(java, "#!/bin/sh\necho should not run >&2\nexit 3\n");
    assertThat(java.toFile().setExecutable(true)).isTrue();
    Files.writeString(old.resolveSibling("release"), "JAVA_RUNTIME_VERSION=\"16.0.2+7\"\n");

    Process script = launch(old.getParent(), "");
    assertThat(script.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(script.exitValue()).isEqualTo(1);
    assertThat(Files.readString(work.resolve("procgate.log")))
        .contains("needs Java 17 or newer")
        .doesNotContain("should not run");
  }

  private void runSession(Path javaHome, String startOption, String archive) throws Exception {
    String marker = "-Dit.marker=" + UUID.randomUUID();
    Process server = launch(javaHome, "-Xmx256m " + marker);
    try {
      awaitReady(server);
      String command =
          Files.readString(Path.of("/proc/" + server.pid() + "/cmdline")).replace('\0', ' ');
      assertThat(command).contains(startOption, "-Xmx256m", marker);
      // The JVM maps the archive it took; one it refused is not mapped.
      assertThat(Files.readString(Path.of("/proc/" + server.pid() + "/maps")))
          .contains(home.resolve("lib").toRealPath().resolve(archive).toString());

      var api = ProcgateClient.create(distribution.baseUri(), distribution.token());
      String session =
          new BrowsersApi(api).createBrowser(new BrowserCreateRequest()).getSessionId();
      var result =
          new BrowserProcessesApi(api)
              .processExec(
                  session, new ProcessExecRequest().command("/bin/echo").args(List.of("served")));
      assertThat(result.getExitCode()).isZero();

      // As Prometheus asks: either exposition format is fine for it.
      HttpResponse<String> metrics =
          HTTP.send(
              HttpRequest.newBuilder(distribution.managementUri().resolve("/q/metrics"))
                  .header(
                      "Accept",
                      "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5")
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(metrics.statusCode()).isEqualTo(200);
      assertThat(metrics.headers().firstValue("content-type").orElse(""))
          .containsAnyOf("text/plain; version=0.0.4", "application/openmetrics-text");
      assertThat(metrics.body())
          .containsPattern("(?m)^procgate_execs_total\\{outcome=\"exited\",?} 1\\.0$")
          .containsPattern("(?m)^procgate_sessions 1\\.0$");

      // Started in the C locale, the JVM still encodes file names as UTF-8. The name is built as a
      // String: this JVM's own locale may not let it make a Path of it.
      String dir = distribution.sessionsRoot().resolve(session).resolve("names").toString();
      new BrowserFilesystemApi(api)
          .fsCreateDirectory(session, new FsCreateDirectoryRequest().path(dir));
      String name = "café-😀.txt";
      FileTransfers.writeFile(
          api, session, dir + "/" + name, BodyPublishers.ofString("named"), null);
      assertThat(new BrowserFilesystemApi(api).fsListFiles(session, dir))
          .extracting(FsFileInfo::getName)
          .containsExactly(name);
      try (InputStream named = FileTransfers.readFile(api, session, dir + "/" + name)) {
        assertThat(named.readAllBytes()).isEqualTo("named".getBytes(StandardCharsets.UTF_8));
      }
      var listed =
          new BrowserProcessesApi(api)
              .processExec(session, new ProcessExecRequest().command("ls").args(List.of(dir)));
      assertThat(Base64.getDecoder().decode(listed.getStdoutB64()))
          .isEqualTo((name + "\n").getBytes(StandardCharsets.UTF_8));
      assertThat(Files.readString(work.resolve("procgate.log")))
          .doesNotContain("File names are encoded as");
    } finally {
      server.destroy();
      assertThat(server.waitFor(60, TimeUnit.SECONDS)).as("stopped by SIGTERM").isTrue();
    }
    assertThat(leftRunning()).as("processes of the server or its sessions").isEmpty();
    try (Stream<Path> left = Files.list(distribution.sessionsRoot())) {
      assertThat(left).as("session directories").isEmpty();
    }
  }

  private Process launch(Path javaHome, String javaOptions) throws IOException {
    return distribution.launch(
        javaHome, javaOptions, ProcessBuilder.Redirect.to(work.resolve("procgate.log").toFile()));
  }

  private void awaitReady(Process server) throws Exception {
    URI ready = distribution.managementUri().resolve("/q/health/ready");
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      assertThat(server.isAlive())
          .as("bin/procgate exited: " + Files.readString(work.resolve("procgate.log")))
          .isTrue();
      try {
        if (HTTP.send(HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode()
            == 200) {
          return;
        }
      } catch (IOException notYet) {
        // Not listening yet.
      }
      Thread.sleep(50);
    }
    throw new AssertionError("not ready: " + Files.readString(work.resolve("procgate.log")));
  }

  /** Processes whose command line names the unpacked directory or the sessions root. */
  private List<Long> leftRunning() throws IOException {
    String unpacked = work.toRealPath().toString();
    try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
      return entries
          .map(entry -> entry.getFileName().toString())
          .filter(name -> name.chars().allMatch(Character::isDigit))
          .map(Long::parseLong)
          .filter(pid -> commandLine(pid).contains(unpacked))
          .toList();
    }
  }

  private static String commandLine(long pid) {
    try {
      return new String(
          Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline")), StandardCharsets.UTF_8);
    } catch (IOException gone) {
      return "";
    }
  }
}
