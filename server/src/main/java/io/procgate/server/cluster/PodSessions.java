package io.procgate.server.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Pod;
import io.procgate.server.api.model.Browser;
import io.procgate.server.api.model.BrowserCreateRequest;
import io.procgate.server.api.model.BrowserUsage;
import io.procgate.server.cdp.CdpUrls;
import io.procgate.server.config.ProcgateConfig;
import io.procgate.server.session.BrowserSessions;
import io.procgate.server.session.SessionIds;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.http.HttpMethod;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Typed;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * A control plane's sessions, one pod each. A create claims the name, makes the pod, waits for it
 * to be ready, and creates the session on its node, which answers with URLs that lead back here (it
 * is sent the client's {@code Host}); what the node said is kept on the pod, so that any replica
 * can list the sessions from the pods alone. Whatever fails on the way, the pod and the name are
 * given up again.
 */
@ApplicationScoped
@Typed(PodSessions.class)
public class PodSessions implements BrowserSessions {
  // What of a node's answer is not kept on the pod: its token, and what is only true now.
  private static final List<String> NOT_KEPT = List.of("cdp_ws_url", "usage", "browser_state");
  // The node's end: its processes' grace, its browser, its directory; then the pod's removal.
  private static final Duration DELETE_BUDGET = Duration.ofSeconds(60);
  // An informer sees a change it was not told of in milliseconds; this is for a loaded API server.
  private static final Duration CACHE_BUDGET = Duration.ofSeconds(5);

  private final Cluster cluster;
  private final SessionLookup lookup;
  private final NodeClient nodes;
  private final CdpUrls urls;
  private final ObjectMapper json;
  private final Optional<URI> publicUrl;

  PodSessions(
      Cluster cluster,
      SessionLookup lookup,
      NodeClient nodes,
      CdpUrls urls,
      ObjectMapper json,
      ProcgateConfig config) {
    this.cluster = cluster;
    this.lookup = lookup;
    this.nodes = nodes;
    this.urls = urls;
    this.json = json;
    this.publicUrl = config.publicUrl();
  }

  @Override
  public CompletionStage<Browser> create(BrowserCreateRequest request, String host) {
    BrowserCreateRequest body = request != null ? request : new BrowserCreateRequest();
    String id = SessionIds.next();
    Optional<String> name = Optional.ofNullable(body.getName());
    String requestJson = write(body);
    SessionPods pods = cluster.pods();
    name.ifPresent(n -> cluster.names().claim(n, id, held -> pods.find(held).isPresent()));
    try {
      pods.create(cluster.template().forSession(id, name, requestJson, nodeSettings(id)));
    } catch (RuntimeException refused) {
      name.ifPresent(n -> cluster.names().release(n, id));
      throw refused;
    }
    return pods.ready(id, cluster.settings().startTimeout())
        .thenCompose(pod -> nodes.call(pod, HttpMethod.POST, "/browsers", host, requestJson))
        .thenApplyAsync(
            answer -> {
              pods.annotate(id, PodTemplate.SESSION_ANNOTATION, write(kept(answer)));
              return answer;
            },
            workers())
        // A list on this replica right after the create shows the session.
        .thenCompose(
            answer ->
                pods.cachedWhen(id, pod -> kept(pod).isPresent(), CACHE_BUDGET)
                    .thenApply(cached -> toBrowser(answer)))
        .whenCompleteAsync(
            (created, failure) -> {
              if (failure != null) {
                pods.deleteQuietly(id);
                name.ifPresent(n -> cluster.names().release(n, id));
              }
            },
            workers());
  }

  @Override
  public CompletionStage<Browser> get(String idOrName, String host) {
    return CompletableFuture.supplyAsync(() -> lookup.require(idOrName), workers())
        .thenCompose(
            pod -> {
              if (!SessionPods.ready(pod)) {
                return CompletableFuture.completedFuture(fromPod(pod, host));
              }
              String id = SessionPods.sessionId(pod);
              return nodes
                  .call(pod, HttpMethod.GET, "/browsers/" + id, host, null)
                  .thenApply(this::toBrowser)
                  // A node that stopped answering: its pod, read afresh, says what became of it.
                  .exceptionallyAsync(
                      unanswered -> fromPod(cluster.pods().read(id).orElse(pod), host), workers());
            });
  }

  @Override
  public CompletionStage<Page> list(int offset, int limit, String host) {
    List<Pod> sessions =
        cluster.pods().all().stream()
            .filter(pod -> pod.getMetadata().getDeletionTimestamp() == null)
            .filter(pod -> kept(pod).isPresent())
            .filter(pod -> !"Succeeded".equals(pod.getStatus().getPhase()))
            .sorted(
                Comparator.comparing(SessionPods::createdAt).thenComparing(SessionPods::sessionId))
            .toList();
    int from = Math.min(offset, sessions.size());
    int to = (int) Math.min((long) from + limit, sessions.size());
    boolean hasMore = to < sessions.size();
    return CompletableFuture.completedFuture(
        new Page(
            sessions.subList(from, to).stream().map(pod -> fromPod(pod, host)).toList(),
            hasMore,
            hasMore ? to : 0));
  }

  @Override
  public CompletionStage<Void> delete(String idOrName) {
    return CompletableFuture.supplyAsync(() -> lookup.require(idOrName), workers())
        // Deleting calls the API server: never on the event loop its answer comes back on.
        .thenComposeAsync(
            pod -> {
              String id = SessionPods.sessionId(pod);
              return cluster
                  .pods()
                  .delete(id, DELETE_BUDGET)
                  .thenRunAsync(
                      () ->
                          PodTemplate.sessionName(pod)
                              .ifPresent(name -> cluster.names().release(name, id)),
                      workers());
            },
            workers());
  }

  /**
   * What the node is told: its one session and its keys, derived for that session alone, and the
   * URL clients reach the control plane at, which the node builds its URLs from.
   */
  private Map<String, String> nodeSettings(String id) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PROCGATE_POD_SESSION_ID", id);
    env.put("PROCGATE_POD_TOKEN_KEY", cluster.keys().tokenKey(id));
    env.put("KERNEL_API_KEY", cluster.keys().apiKey(id));
    env.put("QUARKUS_HTTP_PORT", Integer.toString(cluster.settings().nodePort()));
    publicUrl.ifPresent(url -> env.put("PROCGATE_PUBLIC_URL", url.toString()));
    return env;
  }

  /** The session as its pod keeps it, with a fresh token and its browser's state from the pod. */
  private Browser fromPod(Pod pod, String host) {
    String id = SessionPods.sessionId(pod);
    ObjectNode session =
        kept(pod)
            .orElseGet(
                () -> {
                  // Still starting: only what the request said is known.
                  ObjectNode starting = json.createObjectNode();
                  starting.put("session_id", id);
                  return starting;
                });
    Browser browser = toBrowser(session);
    if (browser.getCreatedAt() == null) {
      browser.createdAt(OffsetDateTime.parse(pod.getMetadata().getCreationTimestamp()));
    }
    String state =
        SessionPods.ended(pod)
            ? "Failed".equals(pod.getStatus().getPhase()) ? "failed" : "stopped"
            : SessionPods.ready(pod) ? "running" : "starting";
    boolean hasBrowser = !session.path("cdp_ws_url").isTextual();
    return browser
        .cdpWsUrl(hasBrowser ? urls.browser(id, host) : "")
        .baseUrl(urls.base(id, host))
        .browserState(
            hasBrowser ? Browser.BrowserStateEnum.fromValue(state) : Browser.BrowserStateEnum.NONE)
        .usage(
            new BrowserUsage()
                .uptimeMs(
                    Duration.between(browser.getCreatedAt().toInstant(), Instant.now())
                        .toMillis()));
  }

  private Optional<ObjectNode> kept(Pod pod) {
    String kept = pod.getMetadata().getAnnotations().get(PodTemplate.SESSION_ANNOTATION);
    if (kept == null) {
      return Optional.empty();
    }
    try {
      return Optional.of((ObjectNode) json.readTree(kept));
    } catch (JsonProcessingException | ClassCastException e) {
      return Optional.empty();
    }
  }

  /** The node's answer without what is not kept; an empty {@code cdp_ws_url} stays: no browser. */
  private ObjectNode kept(JsonNode answer) {
    ObjectNode kept = ((ObjectNode) answer).deepCopy();
    boolean noBrowser = kept.path("cdp_ws_url").asText().isEmpty();
    NOT_KEPT.forEach(kept::remove);
    if (noBrowser) {
      kept.put("cdp_ws_url", "");
    }
    return kept;
  }

  private Browser toBrowser(JsonNode session) {
    try {
      return json.treeToValue(session, Browser.class);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a node described its session in unknown terms", e);
    }
  }

  private String write(Object value) {
    try {
      return json.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Executor workers() {
    return Infrastructure.getDefaultWorkerPool();
  }
}
