package io.procgate.server.cluster;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.procgate.server.error.ApiException;
import io.procgate.server.error.ErrorCode;
import java.net.HttpURLConnection;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.jboss.logging.Logger;

/**
 * Session names, unique across every replica: a name is a Lease named from it, held by the session
 * that has it. The API server creates an object of a given name once, so of two replicas creating
 * the same name at once one gets a 409, and that one answers {@code name_taken}.
 *
 * <p>A replica that dies between claiming a name and making the session's pod leaves a claim no
 * session holds; it is taken over once it is older than a create can take and its session has no
 * pod.
 */
final class SessionNames {
  private static final Logger LOG = Logger.getLogger(SessionNames.class);
  static final String CLAIM_LABEL = "procgate.io/name-claim";
  private static final String NAME_ANNOTATION = "procgate.io/name";

  private final KubernetesClient client;
  private final String namespace;
  private final Duration abandonedAfter;

  SessionNames(KubernetesClient client, String namespace, Duration abandonedAfter) {
    this.client = client;
    this.namespace = namespace;
    this.abandonedAfter = abandonedAfter;
  }

  /**
   * Claims {@code name} for the session {@code sessionId}.
   *
   * @param hasPod whether a session id has a pod, which makes its claim a live one
   * @throws ApiException {@code name_taken} when another session holds it
   */
  void claim(String name, String sessionId, Predicate<String> hasPod) {
    Lease claim =
        new LeaseBuilder()
            .withNewMetadata()
            .withName(leaseName(name))
            .addToLabels(CLAIM_LABEL, "true")
            .addToAnnotations(NAME_ANNOTATION, name)
            .endMetadata()
            .withNewSpec()
            .withHolderIdentity(sessionId)
            .endSpec()
            .build();
    for (int attempt = 0; attempt < 2; attempt++) {
      try {
        client.leases().inNamespace(namespace).resource(claim).create();
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
          throw new ApiException(
              ErrorCode.BROWSER_START_FAILED,
              "the session's name could not be claimed: " + SessionPods.reason(e));
        }
      }
      Lease held = lease(name).get();
      if (held == null) {
        continue; // released since: try again
      }
      if (!abandoned(held, hasPod)) {
        break;
      }
      LOG.infof("taking over the abandoned claim of the name %s", ApiException.quoted(name));
      release(held);
    }
    throw new ApiException(
        ErrorCode.NAME_TAKEN, "a session named " + ApiException.quoted(name) + " already exists");
  }

  /** The session holding {@code name}. */
  Optional<String> holder(String name) {
    return Optional.ofNullable(lease(name).get()).map(lease -> lease.getSpec().getHolderIdentity());
  }

  /** Gives up {@code sessionId}'s claim of {@code name}, if it still holds it. */
  void release(String name, String sessionId) {
    try {
      Lease held = lease(name).get();
      if (held != null && sessionId.equals(held.getSpec().getHolderIdentity())) {
        release(held);
      }
    } catch (KubernetesClientException e) {
      LOG.warnf("cannot release the name of session %s: %s", sessionId, SessionPods.reason(e));
    }
  }

  /** Releases every claim whose session has no pod and that is older than a create can take. */
  void releaseAbandoned(Predicate<String> hasPod) {
    List<Lease> claims =
        client.leases().inNamespace(namespace).withLabel(CLAIM_LABEL).list().getItems();
    for (Lease claim : claims) {
      if (abandoned(claim, hasPod)) {
        release(claim);
      }
    }
  }

  private boolean abandoned(Lease claim, Predicate<String> hasPod) {
    String created = claim.getMetadata().getCreationTimestamp();
    boolean old =
        created == null || Instant.parse(created).plus(abandonedAfter).isBefore(Instant.now());
    return old && !hasPod.test(claim.getSpec().getHolderIdentity());
  }

  /** Deletes the very claim read, not one made since by another session. */
  private void release(Lease claim) {
    try {
      client
          .leases()
          .inNamespace(namespace)
          .withName(claim.getMetadata().getName())
          .lockResourceVersion(claim.getMetadata().getResourceVersion())
          .delete();
    } catch (KubernetesClientException e) {
      if (e.getCode() != HttpURLConnection.HTTP_CONFLICT
          && e.getCode() != HttpURLConnection.HTTP_NOT_FOUND) {
        throw e;
      }
    }
  }

  private Resource<Lease> lease(String name) {
    return client.leases().inNamespace(namespace).withName(leaseName(name));
  }

  /** Object names allow few characters and 253 of them; session names allow any. */
  private static String leaseName(String name) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
      return "procgate-name-" + HexFormat.of().formatHex(digest, 0, 20);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
