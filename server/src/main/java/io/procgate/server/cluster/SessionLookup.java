package io.procgate.server.cluster;

import io.fabric8.kubernetes.api.model.Pod;
import io.procgate.server.error.ApiException;
import io.procgate.server.error.ErrorCode;
import io.procgate.server.session.SessionIds;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;

/**
 * A session's pod by the session's id or name: from the informer's cache when it has it, which is
 * nearly always, else from the API server, as for a session another replica made a moment ago.
 */
@ApplicationScoped
class SessionLookup {
  private final Cluster cluster;
  private final Vertx vertx;

  SessionLookup(Cluster cluster, Vertx vertx) {
    this.cluster = cluster;
    this.vertx = vertx;
  }

  /** The session's pod; may read the API server, so never on an event loop. */
  Pod require(String idOrName) {
    SessionPods pods = cluster.pods();
    Optional<Pod> pod =
        SessionIds.looksLikeId(idOrName)
            ? pods.find(idOrName)
            : pods.cachedByName(idOrName)
                .or(() -> cluster.names().holder(idOrName).flatMap(pods::find));
    return pod.filter(found -> found.getMetadata().getDeletionTimestamp() == null)
        .orElseThrow(() -> ApiException.sessionNotFound(idOrName));
  }

  /**
   * The pod of a session whose node can take calls now; fails with {@code session_not_found}, or
   * {@code node_unavailable} while its pod is not ready.
   */
  Future<Pod> runningPod(String idOrName) {
    SessionPods pods = cluster.pods();
    Optional<Pod> cached =
        SessionIds.looksLikeId(idOrName) ? pods.cached(idOrName) : pods.cachedByName(idOrName);
    if (cached.filter(SessionPods::ready).isPresent()) {
      return Future.succeededFuture(cached.get());
    }
    return vertx
        .executeBlocking(
            () -> {
              // This replica's cache may not have seen the pod become ready yet.
              Pod pod = require(idOrName);
              return SessionPods.ready(pod)
                  ? pod
                  : pods.read(SessionPods.sessionId(pod)).orElse(pod);
            },
            false)
        .compose(
            pod ->
                SessionPods.ready(pod)
                    ? Future.succeededFuture(pod)
                    : Future.failedFuture(
                        new ApiException(
                            ErrorCode.NODE_UNAVAILABLE,
                            SessionPods.ended(pod)
                                ? "the session's node has ended; delete the session"
                                : "the session's node is not ready; retry")));
  }
}
