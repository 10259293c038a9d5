package io.procgate.server.config;

import io.procgate.core.ContainmentSettings;
import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Every setting of procgate, under the prefix {@code procgate}. The port is Quarkus's own {@code
 * quarkus.http.port}.
 */
@ConfigMapping(prefix = "procgate")
public interface ProcgateConfig {

  /**
   * The bearer token every API call must carry. Defaults to the {@code KERNEL_API_KEY} environment
   * variable, the one Kernel's SDKs read; when neither is set the server generates a token at start
   * and logs it once.
   */
  Optional<String> apiKey();

  /**
   * The URL clients reach this server at, such as {@code https://procgate.example.com}, when that
   * is not what they send as {@code Host} (a proxy in front): {@code cdp_ws_url} is built from it.
   */
  Optional<URI> publicUrl();

  /**
   * {@code node}: this server runs the sessions itself. {@code control-plane}: it runs each session
   * in a Kubernetes pod of its own, a server in node mode, and relays every call to it.
   */
  @WithDefault("node")
  Mode mode();

  /** What this server is: see {@link #mode()}. */
  enum Mode {
    NODE,
    CONTROL_PLANE
  }

  Pod pod();

  ControlPlane controlPlane();

  Sessions sessions();

  Browser browser();

  Playwright playwright();

  Replays replays();

  LiveView liveView();

  Containment containment();

  Isolation isolation();

  Exec exec();

  Spawn spawn();

  Files files();

  Http http();

  Management management();

  Log log();

  /**
   * A node in a pod the control plane made: it holds the one session it was made for. The control
   * plane sets these on its pods; nobody else needs them.
   */
  interface Pod {
    /**
     * The id of the one session this server holds, created by the control plane's first request;
     * once that session ends, by a delete or its timeout, the server exits and its pod with it.
     */
    Optional<String> sessionId();

    /**
     * The key that signs and checks the session's tokens ({@code jwt}), instead of one drawn at
     * start: the control plane derives it from its own key for this session alone, so that the
     * tokens it mints work here and a pod can mint none for another session.
     */
    Optional<String> tokenKey();

    /**
     * How long the node waits for the control plane to create its session before it exits: the
     * replica that made the pod is gone, and nobody else will.
     */
    @WithDefault("60s")
    Duration claimTimeout();
  }

  /**
   * The control plane: sessions as pods on Kubernetes (with {@code procgate.mode=control-plane}).
   */
  interface ControlPlane {
    /**
     * The secret every replica shares, from which each session's pod gets its own API key and token
     * key; required in control-plane mode, and at least 32 characters.
     */
    Optional<String> key();

    /**
     * The namespace of the session pods; by default the Kubernetes client's own (in a cluster, the
     * namespace the control plane runs in).
     */
    Optional<String> namespace();

    /**
     * A pod (YAML) the session pods are made from, as the manifests mount it from a ConfigMap: its
     * first container runs the node. Without one, a pod of {@link #image()} with a readiness probe.
     */
    Optional<Path> podTemplate();

    /** The container image of the nodes, when there is no {@link #podTemplate()}. */
    @WithDefault("procgate:0.1.0-SNAPSHOT")
    String image();

    /** The port the nodes serve the API on in their pods. */
    @WithDefault("8080")
    int nodePort();

    /**
     * How long a create waits for its pod to be scheduled, started and ready, and its node to
     * answer; past it, the pod is deleted and the create is a 503.
     */
    @WithDefault("120s")
    Duration startTimeout();

    /**
     * How long the pod of a session whose node failed (killed, out of memory) is kept, so that the
     * session says so and can be deleted; a node that exits as its session ends is removed at once.
     */
    @WithDefault("5m")
    Duration failedRetention();

    /**
     * The longest a session's pod may live, whatever its activity ({@code activeDeadlineSeconds}).
     */
    @WithDefault("24h")
    Duration maxLifetime();

    /**
     * The CPU each session pod requests, in Kubernetes' units; its limit is {@link #cpuLimit()}.
     */
    @WithDefault("500m")
    String cpuRequest();

    /** The CPU a session pod may use; unset, no limit. */
    Optional<String> cpuLimit();

    /**
     * The memory each session pod requests, in Kubernetes' units (an idle browser uses 200-400
     * MiB).
     */
    @WithDefault("512Mi")
    String memoryRequest();

    /** The memory a session pod may use before it is killed. */
    @WithDefault("4Gi")
    String memoryLimit();
  }

  /** Browser sessions. */
  interface Sessions {
    /** The directory under which each session gets its private working directory. */
    @WithDefault("/tmp/procgate-sessions")
    Path root();

    /** Seconds of inactivity before a session that asked for no timeout is deleted. */
    @WithDefault("60")
    int defaultTimeoutSeconds();

    /**
     * Sessions the server holds at once; creating one more is a 429. With the process limits it
     * bounds what the server may hold in memory. When unset, as many as the machine's memory holds
     * with {@link SessionCapacity#PER_SESSION_MIB} MiB for each, beside 1 GiB for the server, at
     * most 64.
     */
    Optional<Integer> max();

    /** Processes a session may run at once, synchronous executions included; past it, 429. */
    @WithDefault("64")
    int maxProcesses();
  }

  /** Each session's Chromium. */
  interface Browser {
    /**
     * The Chromium binary itself; Debian's {@code chromium} package puts it here. When it is
     * missing, sessions have no browser, unless {@link #required()}.
     */
    @WithDefault("/usr/lib/chromium/chromium")
    Path executable();

    /** Flags added to every Chromium's command line, after procgate's own. */
    Optional<List<String>> flags();

    /** Refuse to start without a browser, instead of running sessions without one. */
    @WithDefault("false")
    boolean required();

    /** Whether a session created without {@code headless} gets a headless browser. */
    @WithDefault("true")
    boolean defaultHeadless();

    /** How long a session's creation waits for its browser to answer over CDP. */
    @WithDefault("20s")
    Duration startTimeout();

    /** Restarts of a browser that dies on its own, within {@link #restartWindow()}. */
    @WithDefault("5")
    int maxRestarts();

    /** The window over which restarts are counted. */
    @WithDefault("5m")
    Duration restartWindow();

    /** The wait before the first restart; it doubles with each further one, up to 30 s. */
    @WithDefault("500ms")
    Duration restartBackoff();

    /** The X virtual frame buffer headful browsers draw on. */
    @WithDefault("/usr/bin/Xvfb")
    Path xvfb();

    /** How long a {@code cdp_ws_url} token stays valid; every read of a session mints a new one. */
    @WithDefault("24h")
    Duration cdpTokenTtl();
  }

  /** Playwright code run against a session's browser ({@code playwright/execute}). */
  interface Playwright {
    /** Node.js: a path, or a name on the processes' PATH. */
    @WithDefault("node")
    String node();

    /**
     * A {@code node_modules} directory holding {@code playwright-core}; without it, {@code
     * playwright/execute} answers 503.
     */
    Optional<Path> modules();
  }

  /** Recordings of headful sessions' screens ({@code replays}). */
  interface Replays {
    /** The largest video; a recording that reaches it stops there, and its video is whole. */
    @WithDefault("500M")
    MemorySize maxSize();

    /** The longest recording, and the most a start may ask for. */
    @WithDefault("1h")
    Duration maxDuration();

    /** Finished recordings a session keeps; starting one more deletes the oldest. */
    @WithDefault("10")
    int kept();
  }

  /** The live view of headful sessions' screens ({@code browser_live_view_url}). */
  interface LiveView {
    /** noVNC, the page's VNC client; Debian's {@code novnc} package puts it here. */
    @WithDefault("/usr/share/novnc")
    Path novnc();
  }

  /** A cgroup per session: its processes held together, limited, and ended with it. */
  interface Containment {
    /**
     * Which cgroups: {@code auto} takes v2 where it has the pids and memory controllers, else v1,
     * else v2 without limits; {@code v1}, {@code v2}, or {@code none} for process groups only.
     */
    @WithDefault("auto")
    ContainmentSettings.Mechanism mechanism();

    /** Refuse to start when no cgroup can be made, instead of falling back to process groups. */
    @WithDefault("false")
    boolean required();

    /** Memory a session's processes may use together, the browser's included. */
    @WithDefault("4G")
    MemorySize memoryLimit();

    /** Processes and threads a session may have at once (the browser has a few hundred). */
    @WithDefault("4096")
    int tasksLimit();

    /** A session's share of the CPU against the others', 1 to 10000. */
    @WithDefault("100")
    int cpuWeight();
  }

  /** How sessions on one server are kept apart from each other. */
  interface Isolation {
    /**
     * Each session's processes, its browser included, run by default as an account of its own: a
     * uid from {@link #uids()} with no entry in the user database, which owns the session's files.
     * Needs the server to run as root. Off, or with {@code procgate.exec.default-user} set, every
     * session's processes run as that one account.
     */
    @WithDefault("true")
    boolean users();

    /**
     * The uids sessions' own accounts are taken from, {@code first-last}, in turn. A uid that an
     * account or group of the system has, or that a process runs with, is skipped.
     */
    @WithDefault("600000-609999")
    String uids();

    /**
     * Each session's processes, its browser included, run in a network namespace of their own:
     * their loopback is theirs alone, and what they send out is routed and masqueraded by the host.
     * Needs the server to run as root, iproute2 and nftables; turns on IPv4 forwarding.
     */
    @WithDefault("true")
    boolean network();

    /**
     * The IPv4 block sessions' networks are numbered from, four addresses each: the host's side of
     * session {@code n} is the block's {@code 4n+1}, the session's own {@code 4n+2}.
     */
    @WithDefault("10.231.0.0/16")
    String addresses();

    /**
     * Refuse to start when sessions cannot be kept apart as configured here, instead of saying what
     * they share once in the log and in the readiness health data.
     */
    @WithDefault("false")
    boolean required();
  }

  /** Processes. */
  interface Exec {
    /** The account processes run as when a request names none; the server's own when unset. */
    Optional<String> defaultUser();

    /** The timeout of a request whose {@code timeout_sec} is missing, null or 0. */
    @WithDefault("30s")
    Duration defaultTimeout();

    /** The largest {@code timeout_sec} a request may ask for. */
    @WithDefault("1h")
    Duration maxTimeout();

    /** The time a process group has between SIGTERM and SIGKILL when it is ended. */
    @WithDefault("2s")
    Duration killGrace();

    /** Bytes kept of each of stdout and stderr of a synchronous execution; the rest is counted. */
    @WithDefault("16M")
    MemorySize outputCap();

    /**
     * How long a synchronous execution waits, once its process has exited, for background processes
     * to release its output pipes before it answers.
     */
    @WithDefault("100ms")
    Duration drainWait();

    /** The PATH of every process, unless a request sets its own. */
    @WithDefault("/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
    String path();

    /** The LANG of every process, unless a request sets its own. */
    @WithDefault("C.UTF-8")
    String lang();

    /** The {@code setpriv} binary (util-linux) used to switch users. */
    @WithDefault("/usr/bin/setpriv")
    Path setpriv();
  }

  /** Processes started with {@code spawn}. */
  interface Spawn {
    /** Bytes of output kept per process for its readers; older output is dropped. */
    @WithDefault("8M")
    MemorySize outputBuffer();

    /** How long an exited process stays queryable. */
    @WithDefault("10m")
    Duration retention();

    /** How many exited processes a session keeps at most. */
    @WithDefault("100")
    int retainedExited();

    /** How long a write to stdin waits for the process to read before answering short. */
    @WithDefault("10s")
    Duration stdinWait();

    /** How often a quiet output stream gets a keep-alive comment. */
    @WithDefault("15s")
    Duration keepAlive();
  }

  /** The files API. */
  interface Files {
    /**
     * The largest body of {@code write_file}, {@code upload} or {@code upload_zip}; larger ones get
     * 413, before anything is written when the request gives its length.
     */
    @WithDefault("8G")
    MemorySize maxUploadSize();

    /** Entries (files and directories) an archive given to {@code upload_zip} may hold. */
    @WithDefault("10000")
    int zipMaxEntries();

    /** Bytes the files of an archive given to {@code upload_zip} may come to once extracted. */
    @WithDefault("8G")
    MemorySize zipMaxSize();

    /** Watches a session may hold at once; one more is a 429. */
    @WithDefault("16")
    int maxWatches();

    /** How often a quiet watch's event stream, or a followed log's, gets a keep-alive comment. */
    @WithDefault("15s")
    Duration watchKeepAlive();
  }

  /** The HTTP front. */
  interface Http {
    /** The largest request body accepted, uploads aside ({@code procgate.files}); larger: 413. */
    @WithDefault("1M")
    MemorySize maxBodySize();
  }

  /**
   * The management interface: health ({@code /q/health/live}, {@code /q/health/ready}) and
   * Prometheus metrics ({@code /q/metrics}), on a port of its own, without a token. Quarkus reads
   * these through {@code application.properties}; they are declared here to be typed and documented
   * with the rest.
   */
  interface Management {
    /** The address it listens on. */
    @WithDefault("0.0.0.0")
    String host();

    /** Its port. */
    @WithDefault("9000")
    int port();
  }

  /** Logs. */
  interface Log {
    /**
     * One JSON object per line instead of text, for a log shipper; Quarkus reads it through {@code
     * application.properties}.
     */
    @WithDefault("false")
    boolean json();

    /**
     * A line per request in the Combined Log Format, in the category {@code io.procgate.access};
     * the values of query parameters that carry credentials, such as {@code jwt}, are replaced by
     * {@code REDACTED}, and headers other than Referer and User-Agent are never logged.
     */
    @WithDefault("false")
    boolean access();
  }
}
