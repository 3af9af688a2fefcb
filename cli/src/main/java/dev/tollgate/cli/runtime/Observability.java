package dev.tollgate.cli.runtime;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import dev.tollgate.core.openai.OpenAiError;
import dev.tollgate.proc.inspect.AuditLog;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * The process's one metrics registry (Prometheus text format on {@code GET /metrics}) and its audit
 * log. Created once per process and handed to the services; the all-in-one runtime serves
 * {@code /metrics} on the admin server, a split ext-services process on its own small server.
 */
public final class Observability implements AutoCloseable {
  private final PrometheusMeterRegistry registry;
  private final AuditLog audit;
  private HttpServer metricsServer;

  private Observability(PrometheusMeterRegistry registry, AuditLog audit) {
    this.registry = registry;
    this.audit = audit;
  }

  /** @param auditLogPath JSON-lines file for audit records, or null for the "tollgate.audit" logger */
  public static Observability create(String auditLogPath) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(registry);
    return new Observability(registry, AuditLog.of(auditLogPath));
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  public AuditLog audit() {
    return audit;
  }

  /** {@code GET /metrics}: Prometheus text format 0.0.4. */
  public HttpHandler metricsHandler() {
    return exchange -> {
      try (exchange) {
        if (!exchange.getRequestURI().getPath().equals("/metrics")) {
          send(exchange, 404, "application/json", new OpenAiError(404, "Unknown path. Try GET /metrics.",
              "invalid_request_error", null, "unknown_url").toJson());
        } else if (!exchange.getRequestMethod().equals("GET")) {
          send(exchange, 405, "application/json",
              new OpenAiError(405, "Use GET.", "invalid_request_error", null, "method_not_allowed").toJson());
        } else {
          send(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape());
        }
      }
    };
  }

  /** A server with only {@code /metrics}, for an ext-services process (no admin server there). */
  public int serveMetrics(String address, int port) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(address, port), 16);
    server.setExecutor(Executors.newSingleThreadExecutor(r -> {
      Thread thread = new Thread(r, "tollgate-metrics");
      thread.setDaemon(true);
      return thread;
    }));
    server.createContext("/", metricsHandler());
    server.start();
    metricsServer = server;
    return server.getAddress().getPort();
  }

  private static void send(HttpExchange exchange, int status, String contentType, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("content-type", contentType);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    if (metricsServer != null) {
      metricsServer.stop(0);
    }
    audit.close();
    registry.close();
  }
}
