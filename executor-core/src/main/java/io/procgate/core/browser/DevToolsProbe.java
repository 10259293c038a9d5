package io.procgate.core.browser;

import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Asks a browser {@code Browser.getVersion} over the DevTools protocol: a browser that answers it
 * is ready for clients. The JDK's WebSocket client sends no {@code Origin}, which Chromium would
 * refuse.
 */
final class DevToolsProbe {
  private static final String REQUEST = "{\"id\":1,\"method\":\"Browser.getVersion\"}";

  private final CompletableFuture<HttpClient> http;

  DevToolsProbe() {
    // The answer completes on the client's threads and runs its callers' code there. The JDK's own
    // threads carry the system class loader on newer JDKs, which cannot load an application's
    // classes where it has a loader of its own (Quarkus): these threads carry their creator's.
    ClassLoader callers = Thread.currentThread().getContextClassLoader();
    AtomicInteger count = new AtomicInteger();
    ExecutorService threads =
        Executors.newCachedThreadPool(
            task -> {
              Thread thread = new Thread(task, "procgate-devtools-" + count.incrementAndGet());
              thread.setDaemon(true);
              thread.setContextClassLoader(callers);
              return thread;
            });
    // Building a client sets up the JDK's TLS, which the probe never uses, and took a tenth of the
    // server's start on its main thread; it is built beside the start instead, long before a
    // browser is ready to be asked.
    this.http =
        CompletableFuture.supplyAsync(
            () -> HttpClient.newBuilder().executor(threads).build(), threads);
  }

  /** Completes once the browser at {@code endpoint} has answered; fails if it cannot. */
  CompletableFuture<Void> check(DevToolsEndpoint endpoint) {
    CompletableFuture<Void> answered = new CompletableFuture<>();
    http.thenCompose(
            client ->
                client.newWebSocketBuilder().buildAsync(endpoint.browserUri(), new Reply(answered)))
        .whenComplete(
            (socket, failure) -> {
              if (failure != null) {
                answered.completeExceptionally(failure);
              }
            });
    return answered;
  }

  private static final class Reply implements WebSocket.Listener {
    private final CompletableFuture<Void> answered;
    private final StringBuilder text = new StringBuilder();

    Reply(CompletableFuture<Void> answered) {
      this.answered = answered;
    }

    @Override
    public void onOpen(WebSocket socket) {
      socket.sendText(REQUEST, true);
      socket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
      text.append(data);
      if (last) {
        String message = text.toString();
        text.setLength(0);
        if (message.contains("\"id\":1")) {
          if (message.contains("\"result\"")) {
            answered.complete(null);
          } else {
            answered.completeExceptionally(
                new IllegalStateException("Browser.getVersion failed: " + message));
          }
          socket.sendClose(WebSocket.NORMAL_CLOSURE, "");
          return null;
        }
      }
      socket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket socket, int status, String reason) {
      answered.completeExceptionally(
          new IllegalStateException("the browser closed the connection (" + status + ")"));
      return null;
    }

    @Override
    public void onError(WebSocket socket, Throwable error) {
      answered.completeExceptionally(error);
    }
  }
}
