package io.procgate.core.network;

import io.procgate.core.ExecResult;
import io.procgate.core.LaunchRequest;
import io.procgate.core.ProcessException;
import io.procgate.core.ProcessException.Kind;
import io.procgate.core.ProcessExecutor;
import io.procgate.core.ProcessTable;
import io.procgate.core.internal.os.FileDescriptors;
import io.procgate.core.internal.os.HostClaims;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A network namespace for each session, made with iproute2 and nftables: a veth pair joins it to
 * the host, which routes what it sends and masquerades it behind the host's own addresses, as for a
 * container. Between two sessions' links nothing is forwarded, and on the host only the server's
 * user may open connections to a session's address. Sessions' loopbacks are their own: what listens
 * on 127.0.0.1 in one, such as its browser's debugging port, no other reaches.
 *
 * <p>Where the server is not root, or iproute2, nftables or socat is missing, there are none, and
 * {@link #unavailable()} says why. Thread-safe.
 */
public final class SessionNetworks implements AutoCloseable {
  private static final String NAMESPACE_PREFIX = "procgate-";
  private static final String LINK_PREFIX = "pg";
  private static final Path NAMESPACES = Path.of("/run/netns");
  private static final Path LINKS = Path.of("/sys/class/net");
  private static final Path FORWARDING = Path.of("/proc/sys/net/ipv4/ip_forward");
  // One table per server, so that servers of one host never replace each other's rules.
  private static final String TABLE_PREFIX = "procgate_";
  private static final Pattern TABLE = Pattern.compile("table inet (" + TABLE_PREFIX + "(\\d+))");
  private static final long COMMAND_SECONDS = 10;

  private final ProcessExecutor executor;
  // The block, and the table of the server's own commands, are null where there are none.
  private final AddressBlock block;
  private final ProcessTable own;
  private final String table = TABLE_PREFIX + ProcessHandle.current().pid();
  private final Optional<String> unavailable;
  private HostClaims claims;
  private final BitSet taken = new BitSet();
  private int next;

  private SessionNetworks(
      ProcessExecutor executor, AddressBlock block, ProcessTable own, Optional<String> why) {
    this.executor = executor;
    this.block = block;
    this.own = own;
    this.unavailable = why;
  }

  /**
   * Sets up what sessions' networks need, numbered from {@code block}: removes what an earlier run
   * left, loads the firewall table, turns on IPv4 forwarding. Blocks for the few commands that do
   * it.
   */
  public static SessionNetworks start(ProcessExecutor executor, AddressBlock block) {
    ProcessTable own = executor.newTable();
    SessionNetworks networks = new SessionNetworks(executor, block, own, Optional.empty());
    Optional<String> why = networks.prepare();
    return why.isEmpty() ? networks : new SessionNetworks(executor, block, own, why);
  }

  /** A manager that makes none, for {@code why}. */
  public static SessionNetworks none(ProcessExecutor executor, String why) {
    return new SessionNetworks(executor, null, null, Optional.of(why));
  }

  /** Why sessions get no network of their own here; empty when they do. */
  public Optional<String> unavailable() {
    return unavailable;
  }

  /** What sessions' networks are, for people. */
  public String describe() {
    return unavailable
        .map(why -> "the host's, shared: " + why)
        .orElse("a namespace of their own each, numbered from " + block + ", masqueraded out");
  }

  private Optional<String> prepare() {
    if (executor.serverAccount().uid() != 0) {
      return Optional.of("the server does not run as root");
    }
    for (String[] tool :
        new String[][] {{"ip", "iproute2"}, {"nft", "nftables"}, {"socat", "socat"}}) {
      if (!onPath(tool[0])) {
        return Optional.of("no " + tool[0] + " on the PATH (Debian's " + tool[1] + ")");
      }
    }
    try {
      claims = new HostClaims(HostClaims.HOST.resolve("networks"));
      removeLeftovers();
      await(run("nft", List.of("-f", "-"), firewall()));
      if (!Files.readString(FORWARDING).strip().equals("1")) {
        Files.writeString(FORWARDING, "1\n");
      }
      return Optional.empty();
    } catch (IOException | RuntimeException e) {
      return Optional.of("cannot set them up: " + e.getMessage());
    }
  }

  private boolean onPath(String tool) {
    for (String dir : executor.settings().path().split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
        return true;
      }
    }
    return false;
  }

  /**
   * What servers of this host that have gone left: their sessions' namespaces and links, which
   * would take names and routes, and their firewall tables.
   */
  private void removeLeftovers() throws IOException {
    List<String> lines = new ArrayList<>();
    for (HostClaims.Stale stale : claims.takeStale()) {
      String[] noted = stale.note().split(" ");
      if (noted.length == 2) {
        lines.add("link del " + noted[1]);
        lines.add("netns del " + noted[0]);
      }
    }
    if (!lines.isEmpty()) {
      try {
        await(batch(Optional.empty(), lines, true));
      } catch (ProcessException partly) {
        // What of it was gone already: ip reports it, and goes on with the rest.
      }
    }
    String tables = awaitOutput(run("nft", List.of("list", "tables"), null));
    for (String line : tables.lines().toList()) {
      Matcher found = TABLE.matcher(line.strip());
      if (found.matches() && ProcessHandle.of(Long.parseLong(found.group(2))).isEmpty()) {
        await(run("nft", List.of("delete", "table", "inet", found.group(1)), null));
      }
    }
  }

  /**
   * Replaces the table whole, so a restart never stacks rules. Forwarded between two sessions'
   * links: nothing. Opened from the host to a session's address: only by root, the server.
   */
  private String firewall() {
    return String.join(
        "\n",
        "table inet " + table,
        "delete table inet " + table,
        "table inet " + table + " {",
        "  chain forward {",
        "    type filter hook forward priority filter; policy accept;",
        "    iifname \"" + LINK_PREFIX + "*\" oifname \"" + LINK_PREFIX + "*\" reject",
        "  }",
        "  chain output {",
        "    type filter hook output priority filter; policy accept;",
        "    ip daddr " + block + " meta skuid != 0 ct state new reject",
        "  }",
        "  chain postrouting {",
        "    type nat hook postrouting priority srcnat; policy accept;",
        "    ip saddr " + block + " oifname != \"" + LINK_PREFIX + "*\" masquerade",
        "  }",
        "}",
        "");
  }

  /**
   * Makes session {@code name}'s network.
   *
   * @return completes once it routes; fails with a {@link ProcessException} when it cannot be made,
   *     with nothing of it left
   */
  public CompletableFuture<SessionNetwork> create(String name) {
    if (unavailable.isPresent()) {
      throw new IllegalStateException("no session networks here: " + unavailable.get());
    }
    String namespace = NAMESPACE_PREFIX + name;
    int index = take(namespace);
    String link = LINK_PREFIX + index;
    String host = block.hostAddress(index);
    String address = block.sessionAddress(index);
    List<String> hostSide = new ArrayList<>();
    // The number is this server's now: a link of its name is what a server that died left.
    if (Files.exists(LINKS.resolve(link))) {
      hostSide.add("link del " + link);
    }
    hostSide.addAll(
        List.of(
            "netns add " + namespace,
            "link add " + link + " type veth peer name eth0 netns " + namespace,
            "addr add " + host + "/30 dev " + link,
            "link set " + link + " up"));
    CompletableFuture<SessionNetwork> made =
        batch(Optional.empty(), hostSide, false)
            .thenCompose(
                linked ->
                    batch(
                        Optional.of(namespace),
                        List.of(
                            "link set lo up",
                            "addr add " + address + "/30 dev eth0",
                            "link set eth0 up",
                            "route add default via " + host),
                        false))
            .thenApply(
                done ->
                    new SessionNetwork(
                        namespace,
                        index,
                        link,
                        host,
                        address,
                        FileDescriptors.openForReading(NAMESPACES.resolve(namespace).toString())));
    return made.handle(
            (network, failure) -> {
              if (failure == null) {
                return CompletableFuture.completedFuture(network);
              }
              return remove(namespace, link, index)
                  .<SessionNetwork>thenCompose(removed -> CompletableFuture.failedFuture(failure));
            })
        .thenCompose(network -> network);
  }

  /**
   * Removes a session's network, once its processes have ended: what still runs in it keeps the
   * namespace alive, but no longer routed.
   */
  public CompletableFuture<Void> delete(SessionNetwork network) {
    FileDescriptors.close(network.descriptor());
    return remove(network.name(), network.link(), network.index());
  }

  private CompletableFuture<Void> remove(String namespace, String link, int index) {
    return batch(Optional.empty(), List.of("link del " + link, "netns del " + namespace), true)
        .handle(
            (done, failure) -> {
              // A link that could not go would clash with the next one of its number.
              if (failure == null || !Files.exists(LINKS.resolve(link))) {
                release(index);
              }
              return null;
            });
  }

  private synchronized int take(String namespace) {
    for (int tried = 0; tried < block.sessions(); tried++) {
      int index = next;
      next = (next + 1) % block.sessions();
      if (!taken.get(index) && claims.claim(index, namespace + " " + LINK_PREFIX + index)) {
        taken.set(index);
        return index;
      }
    }
    throw new ProcessException(
        Kind.RESOURCE_EXHAUSTED,
        "every network of " + block + " is in use; give sessions a larger block");
  }

  private synchronized void release(int index) {
    taken.clear(index);
    claims.release(index);
  }

  /** One {@code ip -batch}, in {@code namespace} or the host's: a process for many changes. */
  private CompletableFuture<String> batch(
      Optional<String> namespace, List<String> lines, boolean force) {
    List<String> args = new ArrayList<>();
    namespace.ifPresent(name -> args.addAll(List.of("-n", name)));
    if (force) {
      args.add("-force");
    }
    args.addAll(List.of("-batch", "-"));
    return run("ip", args, String.join("\n", lines) + "\n");
  }

  /**
   * Runs {@code tool} as root, its argument {@code -} replaced by a file holding {@code input};
   * answers its stdout, and fails unless it exits 0.
   */
  private CompletableFuture<String> run(String tool, List<String> args, String input) {
    Path script;
    try {
      script = Files.createTempFile("procgate-net", ".txt");
      Files.writeString(script, input == null ? "" : input, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> all = new ArrayList<>(args);
    all.replaceAll(arg -> arg.equals("-") ? script.toString() : arg);
    CompletableFuture<ExecResult> result;
    try {
      result =
          executor
              .exec(LaunchRequest.builder(tool, Path.of("/")).args(all).asRoot(true).build(), own)
              .result();
    } catch (RuntimeException e) {
      deleteQuietly(script);
      throw e;
    }
    return result.thenApply(
        done -> {
          deleteQuietly(script);
          if (done.timedOut() || done.status().code() != 0 || done.status().signal() != 0) {
            throw new ProcessException(
                Kind.SYSTEM_FAILURE,
                tool
                    + " failed: "
                    + new String(done.stderr().bytes(), StandardCharsets.UTF_8).strip());
          }
          return new String(done.stdout().bytes(), StandardCharsets.UTF_8);
        });
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // A temporary file of root's; the next boot clears it.
    }
  }

  private static void await(CompletableFuture<String> done) {
    awaitOutput(done);
  }

  private static String awaitOutput(CompletableFuture<String> done) {
    try {
      return done.get(COMMAND_SECONDS, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof RuntimeException runtime
          ? runtime
          : new IllegalStateException(e.getCause());
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("timed out", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /**
   * Removes the firewall table, and gives back the claims: sessions' networks, all deleted by now,
   * need them no more.
   */
  @Override
  public void close() {
    if (unavailable.isEmpty()) {
      try {
        await(run("nft", List.of("delete", "table", "inet", table), null));
      } catch (RuntimeException e) {
        // The next start of a server of this host removes it.
      }
      claims.close();
    }
  }
}
