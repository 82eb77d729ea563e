package dev.flagstack.benchmarks;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A minimal OFREP responder on a loopback port, on the JDK's own HTTP server: every
 * {@code POST /ofrep/v1/evaluate/flags/{key}} answers 200 with {@code {"key":..,"value":true,..}}. Anything
 * else answers 404 and counts as unexpected, which the benchmarks' tear-down checks.
 */
final class OfrepServer implements AutoCloseable {
  static final String PATH = "/ofrep/v1/evaluate/flags/";

  private final HttpServer server;
  private final AtomicLong evaluations = new AtomicLong();
  private final AtomicLong unexpected = new AtomicLong();

  static {
    // Without TCP_NODELAY the JDK server's separate header and body writes meet the client's delayed ACK,
    // and every exchange takes about 40 ms. Read once, when the first server is created.
    System.setProperty("sun.net.httpserver.nodelay", "true");
  }

  OfrepServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    server.createContext("/", this::handle);
    // The default executor answers on the server's dispatcher thread: no hand-off, the fastest it can be.
    server.start();
  }

  String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Evaluation requests answered so far. */
  long evaluations() {
    return evaluations.get();
  }

  /** Requests that were not a single-flag evaluation. */
  long unexpected() {
    return unexpected.get();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange; InputStream body = exchange.getRequestBody()) {
      byte[] request = body.readAllBytes();
      String path = exchange.getRequestURI().getPath();
      if (!"POST".equals(exchange.getRequestMethod()) || !path.startsWith(PATH) || path.length() == PATH.length()
          || request.length == 0) {
        unexpected.incrementAndGet();
        exchange.sendResponseHeaders(404, -1);
        return;
      }
      evaluations.incrementAndGet();
      String key = path.substring(PATH.length());
      byte[] reply = ("{\"key\":\"" + key + "\",\"reason\":\"STATIC\",\"variant\":\"on\",\"value\":true}")
          .getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, reply.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(reply);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
