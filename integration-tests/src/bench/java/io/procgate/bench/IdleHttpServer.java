package io.procgate.bench;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;

/** A JVM that only answers HTTP, with the JDK's own server: the floor of a Java server's start. */
public final class IdleHttpServer {
  private IdleHttpServer() {}

  public static void main(String[] args) throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress(Integer.parseInt(args[0])), 0);
    server.createContext(
        "/",
        exchange -> {
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    server.start();
  }
}
