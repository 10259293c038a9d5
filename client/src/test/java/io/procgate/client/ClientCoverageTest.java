package io.procgate.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.procgate.client.api.BrowserComputerApi;
import io.procgate.client.api.BrowserFilesystemApi;
import io.procgate.client.api.BrowserPlaywrightApi;
import io.procgate.client.api.BrowserProcessesApi;
import io.procgate.client.api.BrowserReplaysApi;
import io.procgate.client.api.BrowsersApi;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every operation of the spec can be called from Java: through a generated method, or, for those
 * the generator is told to leave out (the FILTER in this module's pom), through a hand-written one.
 */
class ClientCoverageTest {
  private static final Path SPEC = Path.of("../api-spec/src/main/resources/openapi/procgate.yaml");

  /** The operations left to io.procgate.client.stream, and the class that calls each. */
  private static final Map<String, String> HAND_WRITTEN =
      Map.of(
          "processStdoutStream", "ProcessOutput",
          "fsWatchEvents", "WatchEvents",
          "fsWriteFile", "FileTransfers",
          "fsUpload", "FileTransfers",
          "fsUploadZip", "FileTransfers",
          "logsStream", "LogEvents");

  @Test
  void everyOperationHasAJavaMethod() throws IOException {
    Set<String> generated =
        Stream.of(
                BrowsersApi.class,
                BrowserProcessesApi.class,
                BrowserFilesystemApi.class,
                BrowserComputerApi.class,
                BrowserPlaywrightApi.class,
                BrowserReplaysApi.class)
            .flatMap(api -> Arrays.stream(api.getMethods()))
            .map(Method::getName)
            .collect(Collectors.toSet());
    Set<String> operations = operationIds();

    assertThat(operations).hasSizeGreaterThan(20);
    for (String operation : operations) {
      if (HAND_WRITTEN.containsKey(operation)) {
        assertThat(generated)
            .as(operation + " is left to " + HAND_WRITTEN.get(operation))
            .doesNotContain(operation);
      } else {
        assertThat(generated)
            .as(operation + " is generated: add it to the FILTER in client/pom.xml")
            .contains(operation);
      }
    }
    assertThat(operations).containsAll(HAND_WRITTEN.keySet());
  }

  private static Set<String> operationIds() throws IOException {
    Matcher ids =
        Pattern.compile("(?m)^\\s+operationId:\\s*(\\w+)\\s*$").matcher(Files.readString(SPEC));
    Set<String> operations = new java.util.TreeSet<>();
    while (ids.find()) {
      operations.add(ids.group(1));
    }
    return operations;
  }
}
