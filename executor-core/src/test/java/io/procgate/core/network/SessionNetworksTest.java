package io.procgate.core.network;

import static org.assertj.core.api.Assertions.assertThat;

import io.procgate.core.ExecResult;
import io.procgate.core.ExecutorSettings;
import io.procgate.core.LaunchRequest;
import io.procgate.core.ProcessExecutor;
import io.procgate.core.ProcessTable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Runs as root, with iproute2, nftables and socat: a session's own network, made and removed. */
@Timeout(60)
class SessionNetworksTest {
  private ProcessExecutor executor;
  private SessionNetworks networks;

  @BeforeEach
  void start() {
    executor = new ProcessExecutor(ExecutorSettings.defaults());
    networks = SessionNetworks.start(executor, AddressBlock.parse("10.232.0.0/24"));
  }

  @AfterEach
  void stop() {
    networks.close();
    executor.close();
  }

  private String run(ProcessTable owner, String command) throws Exception {
    ExecResult result =
        executor
            .exec(LaunchRequest.builder(command, Path.of("/")).build(), owner)
            .result()
            .get(30, TimeUnit.SECONDS);
    return new String(result.stdout().bytes(), StandardCharsets.UTF_8);
  }

  @Test
  void aJoinedOwnersProcessesStartInsideWhileTheSpawningThreadStaysOnTheHost() throws Exception {
    assertThat(networks.unavailable()).isEmpty();
    Path hostNamespace = Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net"));
    ProcessTable owner = executor.newTable();
    SessionNetwork network = networks.create("test-" + System.nanoTime()).get(30, TimeUnit.SECONDS);
    owner.join(network);
    try {
      // Netlink answers for the asking process's namespace; sysfs for the host's, which mounted it.
      assertThat(run(owner, "ip -o link | cut -d: -f2 | cut -d@ -f1").split("\n"))
          .containsExactlyInAnyOrder(" lo", " eth0");
      assertThat(run(owner, "ip -4 -o addr show dev eth0")).contains(network.address() + "/30");
      assertThat(run(owner, "ip route show default")).contains("via " + network.hostAddress());
      assertThat(Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")))
          .isEqualTo(hostNamespace);
      // The server's own processes stay on the host.
      assertThat(run(executor.newTable(), "ip -o link")).contains(network.link() + "@");
    } finally {
      executor.terminateAll(owner).get(30, TimeUnit.SECONDS);
      networks.delete(network).get(30, TimeUnit.SECONDS);
    }
    assertThat(Path.of("/run/netns", network.name())).doesNotExist();
    assertThat(Path.of("/sys/class/net", network.link())).doesNotExist();
  }
}
