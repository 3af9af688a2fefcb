package dev.tollgate.xds.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.tollgate.core.openai.OpenAiError;
import dev.tollgate.xds.server.ConfigFileWatcher;
import dev.tollgate.xds.server.NodeStatusTracker;
import dev.tollgate.xds.server.SnapshotPublisher;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The admin HTTP API. {@code GET /status}: the current config version, each Envoy node's applied
 * version and NACKs, and the last rejected reload. The JDK's server is enough for a few requests
 * a minute from operators and tests; it binds where the control plane binds (loopback by default).
 */
public final class AdminServer implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpServer server;

  private AdminServer(HttpServer server) {
    this.server = server;
  }

  public static AdminServer start(String address, int port, SnapshotPublisher publisher,
      NodeStatusTracker nodes, Supplier<ConfigFileWatcher.ReloadError> lastError) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(address, port), 16);
    // A few threads: an /admin/ call waiting on an unreachable database must not hold up /status.
    server.setExecutor(Executors.newFixedThreadPool(4, r -> {
      Thread thread = new Thread(r, "tollgate-admin");
      thread.setDaemon(true);
      return thread;
    }));
    server.createContext("/", exchange -> {
      try (exchange) {
        if (!exchange.getRequestURI().getPath().equals("/status")) {
          send(exchange, 404, new OpenAiError(404, "Unknown admin path. Try GET /status.",
              "invalid_request_error", null, "unknown_url").toJson());
        } else if (!exchange.getRequestMethod().equals("GET")) {
          send(exchange, 405, new OpenAiError(405, "Use GET.", "invalid_request_error", null,
              "method_not_allowed").toJson());
        } else {
          StatusView view = new StatusView(publisher.currentVersion(),
              StatusView.ReloadErrorView.of(lastError.get()), nodes.nackCount(),
              nodes.nodes().stream().map(StatusView.NodeView::of).toList());
          send(exchange, 200, JSON.writeValueAsString(view));
        }
      }
    });
    server.start();
    return new AdminServer(server);
  }

  private static void send(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("content-type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** Serves {@code handler} under {@code path} too (the runtime-state admin API, {@code /admin/}). */
  public void mount(String path, com.sun.net.httpserver.HttpHandler handler) {
    server.createContext(path, handler);
  }

  public int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
