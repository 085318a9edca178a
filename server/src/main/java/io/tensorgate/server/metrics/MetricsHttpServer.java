package io.tensorgate.server.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves {@code GET /metrics} in the Prometheus text format 0.0.4 (what Triton serves) on a plain
 * JDK HTTP server with one daemon thread: scrapes are rare and never touch request threads.
 */
final class MetricsHttpServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MetricsHttpServer.class);
  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  /** Writes one scrape's exposition. */
  @FunctionalInterface
  interface Exposition {
    void writeTo(OutputStream out) throws IOException;
  }

  private final Exposition exposition;
  private final HttpServer server;
  private final ExecutorService executor;

  MetricsHttpServer(Exposition exposition, InetSocketAddress address) throws IOException {
    this.exposition = Objects.requireNonNull(exposition, "exposition");
    this.server = HttpServer.create(address, 0);
    this.executor =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "tensorgate-metrics");
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(executor);
    server.createContext("/metrics", this::handle);
    server.createContext("/", MetricsHttpServer::notFound);
    server.start();
  }

  int port() {
    return server.getAddress().getPort();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String method = exchange.getRequestMethod();
      if (!method.equals("GET") && !method.equals("HEAD")) {
        exchange.getResponseHeaders().set("Allow", "GET, HEAD");
        exchange.sendResponseHeaders(405, -1);
        return;
      }
      ByteArrayOutputStream body = new ByteArrayOutputStream(64 << 10);
      try {
        exposition.writeTo(body);
      } catch (IOException | RuntimeException e) {
        log.warn("metrics scrape failed", e);
        exchange.sendResponseHeaders(500, -1);
        return;
      }
      exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
      if (method.equals("HEAD")) {
        exchange.sendResponseHeaders(200, -1);
        return;
      }
      exchange.sendResponseHeaders(200, body.size());
      try (OutputStream out = exchange.getResponseBody()) {
        body.writeTo(out);
      }
    }
  }

  private static void notFound(HttpExchange exchange) throws IOException {
    try (exchange) {
      exchange.sendResponseHeaders(404, -1);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
