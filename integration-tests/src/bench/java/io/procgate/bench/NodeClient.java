package io.procgate.bench;

import io.procgate.testing.ServerProcess;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The lean Node client, {@code bench/exec_client.mjs}: Node's {@code http} module on keep-alive
 * connections, or {@code fetch}, which is what Kernel's SDKs send.
 */
final class NodeClient {
  /** Latency percentiles and throughput of one run of calls. */
  record Calls(double p50Millis, double p99Millis, double callsPerSecond) {}

  private final Path script;

  private NodeClient(Path script) {
    this.script = script;
  }

  static NodeClient extract(Path workDir) throws IOException {
    Path script = workDir.resolve("exec_client.mjs");
    try (InputStream in = NodeClient.class.getResourceAsStream("/bench/exec_client.mjs")) {
      Files.write(script, in.readAllBytes());
    }
    return new NodeClient(script);
  }

  /**
   * Makes {@code calls} calls after {@code warmUp} unmeasured ones.
   *
   * @param mode {@code http} or {@code fetch}
   * @param what {@code exec} of {@code /bin/echo hello}, or {@code get} of the session
   */
  Calls run(
      String mode,
      String what,
      ServerProcess server,
      String session,
      int warmUp,
      int calls,
      int concurrency)
      throws IOException, InterruptedException {
    Process node =
        new ProcessBuilder(
                List.of(
                    "node",
                    script.toString(),
                    mode,
                    what,
                    server.baseUri().toString(),
                    server.token(),
                    session,
                    Integer.toString(warmUp),
                    Integer.toString(calls),
                    Integer.toString(concurrency)))
            .redirectErrorStream(true)
            .start();
    String output = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!node.waitFor(10, TimeUnit.MINUTES) || node.exitValue() != 0) {
      throw new IllegalStateException("the Node client failed: " + output);
    }
    String[] f = output.trim().split(" ");
    return new Calls(Double.parseDouble(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2]));
  }
}
