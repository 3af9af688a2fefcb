package dev.tollgate.cli.runtime;

import dev.tollgate.authz.ApiKeyVerifier;
import dev.tollgate.authz.AuthorizationService;
import dev.tollgate.authz.JwtVerifier;
import dev.tollgate.core.policy.PolicySource;
import dev.tollgate.core.usage.UsageBatchTarget;
import dev.tollgate.core.usage.UsageSink;
import dev.tollgate.proc.ExternalProcessorService;
import dev.tollgate.proc.usage.UsageQueue;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The ext_authz and ext_proc services on a gRPC server: added to the all-in-one server, or served
 * alone by an ext-services process that watches the policy from a remote control plane.
 */
public final class ExtServices implements AutoCloseable {
  /** Above the largest body limit the config accepts, plus room for the ext_proc envelope. */
  static final int MAX_GRPC_MESSAGE_BYTES = 65 * 1024 * 1024;

  private final Server server;
  private final ExternalProcessorService processor;
  private final Observability observability;
  /** This process's usage records on their way to the control plane, or null. */
  private final UsageQueue usageQueue;

  private ExtServices(Server server, ExternalProcessorService processor, Observability observability,
      UsageQueue usageQueue) {
    this.usageQueue = usageQueue;
    this.server = server;
    this.processor = processor;
    this.observability = observability;
  }

  /**
   * Both services, on a server builder that may carry other services too.
   *
   * @param observability the process's metrics registry and audit log
   */
  static ExternalProcessorService addTo(NettyServerBuilder builder, PolicySource policy, Observability observability,
      UsageSink usage) {
    ExternalProcessorService processor = new ExternalProcessorService(policy, Duration.ofMinutes(15),
        observability.registry(), observability.audit(), usage);
    // JWTs first: a bearer shaped like a JWT is never looked up as an API key.
    builder.addService(new AuthorizationService(policy, List.of(new JwtVerifier(), new ApiKeyVerifier())))
        .addService(processor.definition());
    return processor;
  }

  /** Settings Envoy's gRPC clients rely on; shared by every Tollgate gRPC server. */
  static NettyServerBuilder serverBuilder(String address, int port) {
    return NettyServerBuilder.forAddress(new InetSocketAddress(address, port))
        // Every handler here answers from memory without blocking; skip the executor hop.
        .directExecutor()
        .maxInboundMessageSize(MAX_GRPC_MESSAGE_BYTES)
        // Envoy pings every 30 s (see the bootstrap templates); allow it.
        .permitKeepAliveTime(10, TimeUnit.SECONDS)
        .permitKeepAliveWithoutCalls(true);
  }

  /** A standalone ext-services server; audit records on the "tollgate.audit" logger, no /metrics. */
  public static ExtServices start(String address, int port, PolicySource policy) throws IOException {
    return start(address, port, policy, Observability.create(null));
  }

  /** A standalone ext-services server that owns (and closes) the given metrics and audit log. */
  public static ExtServices start(String address, int port, PolicySource policy, Observability observability)
      throws IOException {
    return start(address, port, policy, observability, null);
  }

  /**
   * A standalone ext-services server whose usage records go to {@code ledger} (the control plane's
   * usage report method) through a bounded queue; null sends them nowhere.
   */
  public static ExtServices start(String address, int port, PolicySource policy, Observability observability,
      UsageBatchTarget ledger) throws IOException {
    UsageQueue queue = ledger == null ? null
        : new UsageQueue(ledger, UsageQueue.DEFAULT_CAPACITY, observability.registry()).start();
    NettyServerBuilder builder = serverBuilder(address, port);
    ExternalProcessorService processor = addTo(builder, policy, observability, queue == null ? UsageSink.NONE : queue);
    try {
      return new ExtServices(builder.build().start(), processor, observability, queue);
    } catch (IOException | RuntimeException e) {
      if (queue != null) {
        queue.close();
      }
      throw e;
    }
  }

  /** Usage records not yet delivered to the control plane; 0 without a ledger. */
  public long pendingUsageRecords() {
    return usageQueue == null ? 0 : usageQueue.pending();
  }

  public int port() {
    return server.getPort();
  }

  public long pendingRequests() {
    return processor.pendingRequests();
  }

  @Override
  public void close() {
    server.shutdownNow();
    try {
      server.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    processor.close();
    if (usageQueue != null) {
      usageQueue.close(); // a last attempt to deliver what is queued
    }
    observability.close();
  }
}
