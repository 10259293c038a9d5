package io.procgate.server.cdp;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One client's CDP connection, relayed to the browser as bytes once both WebSocket handshakes are
 * done: frames of any kind and size, fragmentation and close codes pass unchanged, and each side
 * reads only as fast as the other takes (Vert.x's pipe pauses a reader whose writer's queue is
 * full), so neither a slow client nor a slow browser grows the server's memory.
 *
 * <p>The handshake with Chromium is made anew: loopback {@code Host} and no {@code Origin}, which
 * is all Chromium accepts, with the client's own key, so that Chromium's accept value is the one
 * the client expects. Extensions are not offered: the relay never looks inside frames.
 *
 * <p>Threading: created and run on the client connection's event loop; {@link #close()} from any
 * thread.
 */
public final class CdpTunnel {
  private static final int MAX_HANDSHAKE_BYTES = 16 * 1024;
  private static final byte[] HEAD_END = {'\r', '\n', '\r', '\n'};

  private final Runnable released;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile NetSocket client;
  private volatile NetSocket browser;
  // What the browser sent after its handshake, before the relay ran.
  private Buffer leftover;
  private Runnable onClose = () -> {};

  private CdpTunnel(Runnable released) {
    this.released = released;
  }

  /**
   * Opens a tunnel from the client's upgrade request to {@code path} on {@code host:port}: a
   * browser, or, from a control plane, the CDP endpoint of a session's node.
   *
   * @param path the path and query of the handshake sent there
   * @param released run once when the tunnel has closed, however it closed
   * @return completes once the relay runs; fails, having answered the client nothing, when the
   *     other side refuses
   */
  public static Future<CdpTunnel> open(
      HttpServerRequest request,
      NetClient net,
      String host,
      int port,
      String path,
      Runnable released) {
    return open(
        request, net, SocketAddress.inetSocketAddress(port, host), host, port, path, released);
  }

  /**
   * As {@link #open(HttpServerRequest, NetClient, String, int, String, Runnable)}, connected to
   * {@code server}, such as a Unix socket bridged to {@code host:port}, which the handshake names.
   */
  public static Future<CdpTunnel> open(
      HttpServerRequest request,
      NetClient net,
      SocketAddress server,
      String host,
      int port,
      String path,
      Runnable released) {
    String key = request.getHeader("Sec-WebSocket-Key");
    CdpTunnel tunnel = new CdpTunnel(released);
    request.pause();
    return net.connect(server)
        .compose(socket -> tunnel.handshake(socket, host, port, path, key))
        .compose(
            accept -> {
              request
                  .response()
                  .putHeader("Upgrade", "websocket")
                  .putHeader("Connection", "Upgrade")
                  .putHeader("Sec-WebSocket-Accept", accept);
              return request.toNetSocket();
            })
        .map(
            socket -> {
              tunnel.relay(socket);
              return tunnel;
            })
        .onFailure(failure -> tunnel.close());
  }

  /** Runs {@code action} once, when the tunnel has closed. */
  public void onClose(Runnable action) {
    onClose = action;
  }

  /** Closes both sides; the client sees its connection end and can reconnect. */
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    NetSocket a = client;
    NetSocket b = browser;
    if (a != null) {
      a.close();
    }
    if (b != null) {
      b.close();
    }
    released.run();
    onClose.run();
  }

  /** Sends the handshake to the browser and takes its answer's accept value. */
  private Future<String> handshake(
      NetSocket socket, String host, int port, String path, String key) {
    browser = socket;
    socket.pause();
    Promise<String> accepted = Promise.promise();
    Buffer head = Buffer.buffer();
    socket.handler(
        data -> {
          head.appendBuffer(data);
          int end = indexOf(head, HEAD_END);
          if (end < 0) {
            if (head.length() > MAX_HANDSHAKE_BYTES) {
              accepted.tryFail("the handshake answer is too long");
            }
            return;
          }
          socket.pause();
          socket.handler(null);
          String answer = head.getString(0, end, StandardCharsets.ISO_8859_1.name());
          String accept = header(answer, "sec-websocket-accept");
          if (!answer.startsWith("HTTP/1.1 101") || accept == null) {
            accepted.tryFail(
                "the connection was refused: " + answer.lines().findFirst().orElse(""));
            return;
          }
          leftover = head.getBuffer(end + HEAD_END.length, head.length());
          accepted.tryComplete(accept);
        });
    socket.closeHandler(gone -> accepted.tryFail("the connection was closed"));
    socket.resume();
    socket.write(
        "GET "
            + path
            + " HTTP/1.1\r\nHost: "
            + host
            + ":"
            + port
            + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
            + key
            + "\r\nSec-WebSocket-Version: 13\r\n\r\n");
    return accepted.future();
  }

  private void relay(NetSocket socket) {
    client = socket;
    NetSocket other = browser;
    socket.closeHandler(gone -> close());
    other.closeHandler(gone -> close());
    socket.exceptionHandler(failure -> close());
    other.exceptionHandler(failure -> close());
    if (leftover != null && leftover.length() > 0) {
      socket.write(leftover);
    }
    forward(other, socket);
    forward(socket, other);
    socket.resume();
    other.resume();
  }

  /**
   * Writes what {@code from} reads to {@code to}, pausing {@code from} while {@code to}'s write
   * queue is full: a round trip costs no more than the two writes.
   */
  private static void forward(NetSocket from, NetSocket to) {
    to.drainHandler(drained -> from.resume());
    from.handler(
        data -> {
          to.write(data);
          if (to.writeQueueFull()) {
            from.pause();
          }
        });
  }

  private static String header(String head, String name) {
    for (String line : head.split("\r\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
        return line.substring(colon + 1).trim();
      }
    }
    return null;
  }

  private static int indexOf(Buffer buffer, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= buffer.length(); i++) {
      for (int j = 0; j < needle.length; j++) {
        if (buffer.getByte(i + j) != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
