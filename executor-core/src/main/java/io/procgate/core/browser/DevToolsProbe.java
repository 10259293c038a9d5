package io.procgate.core.browser;

import io.procgate.core.internal.os.NetworkNamespace;
import io.procgate.core.network.SessionNetwork;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Asks a browser {@code Browser.getVersion} over the DevTools protocol: a browser that answers it
 * is ready for clients. The JDK's WebSocket client sends no {@code Origin}, which Chromium would
 * refuse. A browser in a network of its own, which that client cannot reach, is asked for {@code
 * /json/version} there instead: the same DevTools server answers both.
 */
final class DevToolsProbe {
  private static final String REQUEST = "{\"id\":1,\"method\":\"Browser.getVersion\"}";

  private static final int MAX_ANSWER = 64 * 1024;
  private static final Duration ANSWER = Duration.ofSeconds(10);

  private final CompletableFuture<HttpClient> http;
  private final ExecutorService threads;

  DevToolsProbe() {
    // The answer completes on the client's threads and runs its callers' code there. The JDK's own
    // threads carry the system class loader on newer JDKs, which cannot load an application's
    // classes where it has a loader of its own (Quarkus): these threads carry their creator's.
    ClassLoader callers = Thread.currentThread().getContextClassLoader();
    AtomicInteger count = new AtomicInteger();
    this.threads =
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

  /**
   * Completes once the browser at {@code endpoint}, in {@code network} when it has one, has
   * answered; fails if it cannot.
   */
  CompletableFuture<Void> check(DevToolsEndpoint endpoint, Optional<SessionNetwork> network) {
    if (network.isPresent()) {
      int namespace = network.get().descriptor();
      return CompletableFuture.runAsync(() -> askWithin(namespace, endpoint), threads);
    }
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

  /**
   * Asks on the port itself, from a socket made inside the session's namespace (a socket stays in
   * the namespace it was made in): through the bridge, a process of its own would come and go.
   */
  private static void askWithin(int namespace, DevToolsEndpoint endpoint) {
    long deadline = System.nanoTime() + ANSWER.toNanos();
    try (SocketChannel channel = NetworkNamespace.inside(namespace, DevToolsProbe::newChannel);
        Selector selector = Selector.open()) {
      channel.connect(new InetSocketAddress(DevToolsEndpoint.HOST, endpoint.port()));
      String request =
          "GET /json/version HTTP/1.1\r\nHost: "
              + DevToolsEndpoint.HOST
              + ":"
              + endpoint.port()
              + "\r\n\r\n";
      channel.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII)));
      channel.configureBlocking(false);
      channel.register(selector, SelectionKey.OP_READ);
      // Chromium keeps the connection open: read until the answer names the browser target.
      ByteBuffer answer = ByteBuffer.allocate(MAX_ANSWER);
      String text = "";
      while (!text.contains(endpoint.browserPath())) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0 || !answer.hasRemaining()) {
          throw new IllegalStateException("no answer to /json/version within " + ANSWER);
        }
        selector.select(left);
        selector.selectedKeys().clear();
        if (channel.read(answer) < 0) {
          break;
        }
        text = new String(answer.array(), 0, answer.position(), StandardCharsets.UTF_8);
      }
      if (!text.startsWith("HTTP/1.1 200") || !text.contains(endpoint.browserPath())) {
        throw new IllegalStateException(
            "/json/version answered: " + text.lines().findFirst().orElse("nothing"));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static SocketChannel newChannel() {
    try {
      return SocketChannel.open();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
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
