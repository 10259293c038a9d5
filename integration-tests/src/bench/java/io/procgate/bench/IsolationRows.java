package io.procgate.bench;

import com.sun.net.httpserver.HttpServer;
import io.procgate.client.model.Browser;
import io.procgate.client.model.BrowserCreateRequest;
import io.procgate.client.model.ProcessExecRequest;
import io.procgate.testing.CdpConnection;
import io.procgate.testing.ServerProcess;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * Row 13, isolation: what a session's own account and network namespace cost, next to the same
 * server with both off (every session's processes the server's user, on the host's network): an
 * exec, a create to CDP-ready, a CDP round trip (through the socat bridge into the namespace), and
 * fetching a page from a server on the host (through the veth pair and the host's routing).
 */
final class IsolationRows {
  private static final int CALLS = 3000;
  private static final int ROUNDS = 6;
  private static final int CREATES = 9;
  private static final int ROUND_TRIPS = 3000;
  private static final int FETCHES = 300;

  private final Benchmark.Clients isolated;
  private final ServerProcess isolatedServer;
  private final ServerProcess open;

  /**
   * @param open the same server's settings with {@code procgate.isolation.users} and {@code
   *     procgate.isolation.network} off
   */
  IsolationRows(Benchmark.Clients isolated, ServerProcess isolatedServer, ServerProcess open) {
    this.isolated = isolated;
    this.isolatedServer = isolatedServer;
    this.open = open;
  }

  void measure(List<String> rows) throws Exception {
    execs(rows);
    creates(rows);
    roundTrips(rows);
    fetches(rows);
  }

  private void execs(List<String> rows) throws Exception {
    Benchmark.Clients shared = new Benchmark.Clients(open, 1);
    Latencies inOwn = new Latencies(CALLS);
    Latencies inShared = new Latencies(CALLS);
    for (int i = 0; i < 2000; i++) {
      isolated.echo(0);
      shared.echo(0);
    }
    // Rounds that alternate between the servers, so that drift hits both alike.
    for (int round = 0; round < ROUNDS; round++) {
      ContainmentRows.time(isolated, 0, CALLS / ROUNDS, inOwn);
      ContainmentRows.time(shared, 0, CALLS / ROUNDS, inShared);
    }
    rows.add(
        Benchmark.formatRow(
            "13",
            "exec `/bin/echo hello` p50, as the session's own uid in its network namespace",
            Benchmark.ms(inOwn.percentileMillis(50)),
            "the same server without them " + Benchmark.ms(inShared.percentileMillis(50)),
            inOwn.percentileMillis(50) / inShared.percentileMillis(50),
            ""));
  }

  private void creates(List<String> rows) throws Exception {
    double[] own = new double[CREATES];
    double[] shared = new double[CREATES];
    for (int i = 0; i < CREATES; i++) {
      own[i] = createMillis(isolatedServer);
      shared[i] = createMillis(open);
    }
    double ours = Benchmark.median(own);
    double baseline = Benchmark.median(shared);
    rows.add(
        Benchmark.formatRow(
            "13",
            "create a session to its browser answering CDP, p50, with its account and network",
            Benchmark.ms(ours),
            "the same server without them " + Benchmark.ms(baseline),
            ours / baseline,
            ""));
  }

  private static double createMillis(ServerProcess server) throws Exception {
    long t0 = System.nanoTime();
    Browser session = server.browsers().createBrowser(new BrowserCreateRequest());
    double millis = (System.nanoTime() - t0) / 1e6;
    server.browsers().deleteBrowser(session.getSessionId());
    return millis;
  }

  private void roundTrips(List<String> rows) throws Exception {
    Browser own = isolatedServer.browsers().createBrowser(new BrowserCreateRequest());
    Browser shared = open.browsers().createBrowser(new BrowserCreateRequest());
    Latencies bridged = new Latencies(ROUND_TRIPS);
    Latencies direct = new Latencies(ROUND_TRIPS);
    try (CdpConnection intoNamespace = CdpConnection.open(own.getCdpWsUrl());
        CdpConnection onHost = CdpConnection.open(shared.getCdpWsUrl())) {
      String ownPage = BrowserRows.page(intoNamespace);
      String sharedPage = BrowserRows.page(onHost);
      for (int warm = 0; warm < 2000; warm++) {
        BrowserRows.evaluate(intoNamespace, ownPage);
        BrowserRows.evaluate(onHost, sharedPage);
      }
      for (int round = 0; round < ROUNDS; round++) {
        for (int i = 0; i < ROUND_TRIPS / ROUNDS; i++) {
          long t0 = System.nanoTime();
          BrowserRows.evaluate(intoNamespace, ownPage);
          bridged.add(System.nanoTime() - t0);
        }
        for (int i = 0; i < ROUND_TRIPS / ROUNDS; i++) {
          long t0 = System.nanoTime();
          BrowserRows.evaluate(onHost, sharedPage);
          direct.add(System.nanoTime() - t0);
        }
      }
    } finally {
      isolatedServer.browsers().deleteBrowser(own.getSessionId());
      open.browsers().deleteBrowser(shared.getSessionId());
    }
    rows.add(
        Benchmark.formatRow(
            "13",
            "CDP round trip p50 through the relay, into the session's namespace by its socat bridge",
            Benchmark.ms(bridged.percentileMillis(50)),
            "the same relay to Chromium on the host's loopback "
                + Benchmark.ms(direct.percentileMillis(50)),
            bridged.percentileMillis(50) / direct.percentileMillis(50),
            "≤ 1.2x"));
  }

  private void fetches(List<String> rows) throws Exception {
    HttpServer host = HttpServer.create(new InetSocketAddress("0.0.0.0", 0), 0);
    for (int kib : new int[] {10, 1024}) {
      byte[] page = new byte[kib * 1024];
      Arrays.fill(page, (byte) 'x');
      host.createContext(
          "/" + kib,
          exchange -> {
            exchange.sendResponseHeaders(200, page.length);
            exchange.getResponseBody().write(page);
            exchange.close();
          });
    }
    host.start();
    try {
      Benchmark.Clients shared = new Benchmark.Clients(open, 1);
      int port = host.getAddress().getPort();
      String gateway =
          out(isolated, "ip route show default").replaceAll("(?s).*default via ([0-9.]+).*", "$1");
      for (int kib : new int[] {10, 1024}) {
        double through = fetchMillis(isolated, "http://" + gateway + ":" + port + "/" + kib);
        double onHost = fetchMillis(shared, "http://127.0.0.1:" + port + "/" + kib);
        rows.add(
            Benchmark.formatRow(
                "13",
                "fetch of a "
                    + (kib == 10 ? "10 KiB" : "1 MiB")
                    + " page from a server on the host,"
                    + " p50 of curl in the session, through its namespace's veth",
                Benchmark.ms(through),
                "the same from a session on the host's loopback " + Benchmark.ms(onHost),
                through / onHost,
                ""));
      }
    } finally {
      host.stop(0);
    }
  }

  /** The p50 of {@value #FETCHES} fetches by curl in one session, as curl times them. */
  private static double fetchMillis(Benchmark.Clients clients, String url) throws Exception {
    String times =
        out(
            clients,
            "for i in $(seq "
                + FETCHES
                + "); do curl -s -o /dev/null -w '%{time_total}\\n' "
                + url
                + "; done");
    double[] seconds = times.lines().mapToDouble(Double::parseDouble).toArray();
    if (seconds.length != FETCHES) {
      throw new IllegalStateException("curl fetched " + seconds.length + " of " + FETCHES);
    }
    return Benchmark.median(seconds) * 1000;
  }

  private static String out(Benchmark.Clients clients, String command) throws Exception {
    return new String(
        Base64.getDecoder()
            .decode(
                clients
                    .exec(0, new ProcessExecRequest().command(command).timeoutSec(120))
                    .getStdoutB64()),
        StandardCharsets.UTF_8);
  }
}
