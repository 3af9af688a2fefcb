package dev.tollgate.proc;

import dev.tollgate.core.policy.PolicyHolder;
import dev.tollgate.core.policy.PolicySource;
import io.envoyproxy.envoy.service.ext_proc.v3.ExternalProcessorGrpc;
import io.envoyproxy.envoy.service.ext_proc.v3.ProcessingRequest;
import io.envoyproxy.envoy.service.ext_proc.v3.ProcessingResponse;
import io.grpc.BindableService;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import dev.tollgate.proc.limits.RequestLimiter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import dev.tollgate.proc.inspect.AuditLog;
import dev.tollgate.proc.inspect.GatewayMetrics;
import dev.tollgate.proc.inspect.RequestInspector;
import dev.tollgate.proc.budget.BudgetEnforcer;

/**
 * Envoy's ext_proc service for both stages: the router-level filter (one stream per request) and
 * the upstream filter of each backend cluster (one stream per attempt). Bind it with
 * {@link #definition()}, which installs the interceptor that tells the stages apart.
 */
public final class ExternalProcessorService extends ExternalProcessorGrpc.ExternalProcessorImplBase {
  private final PolicySource policy;
  private final PendingRequests pending;
  private final RequestBodyParser parser = new RequestBodyParser();
  private final RequestLimiter limiter;
  private final RequestInspector inspector;
  /** Token and money budgets (dev.tollgate.proc.budget). */
  private final BudgetEnforcer budgets;
  /** The usage ledger's record of each request (dev.tollgate.proc.usage). */
  private final dev.tollgate.proc.usage.UsageReporter usage;

  /** @param pendingBackstop how long a parsed body may outlive a stream Envoy never closed */
  public ExternalProcessorService(PolicySource policy, Duration pendingBackstop) {
    this(policy, pendingBackstop, new SimpleMeterRegistry());
  }

  /** @param meters where the request limits report their decisions and Redis errors */
  public ExternalProcessorService(PolicySource policy, Duration pendingBackstop, MeterRegistry meters) {
    this(policy, pendingBackstop, meters, AuditLog.toLogger());
  }

  /**
   * @param meters the process's one registry: limits, inspection and GenAI metrics
   * @param audit where one record per request goes
   */
  public ExternalProcessorService(PolicySource policy, Duration pendingBackstop, MeterRegistry meters,
      AuditLog audit) {
    this(policy, pendingBackstop, meters, audit, dev.tollgate.core.usage.UsageSink.NONE);
  }

  /** @param usage where each finished request's usage record goes (the ledger's queue) */
  public ExternalProcessorService(PolicySource policy, Duration pendingBackstop, MeterRegistry meters,
      AuditLog audit, dev.tollgate.core.usage.UsageSink usage) {
    this.usage = new dev.tollgate.proc.usage.UsageReporter(usage);
    this.policy = policy;
    this.pending = new PendingRequests(pendingBackstop);
    this.limiter = new RequestLimiter(meters);
    // Connect to Redis when a policy names it, not on the first request that needs it.
    limiter.prepare(policy.current().requestLimits());
    if (policy instanceof PolicyHolder holder) {
      holder.addListener(document -> limiter.prepare(holder.current().requestLimits()));
    }
    this.inspector = new RequestInspector(new GatewayMetrics(meters), audit);
    inspector.precompile(policy);
    this.budgets = new BudgetEnforcer(meters);
    budgets.prepare(policy.current().budgets());
    if (policy instanceof PolicyHolder holder) {
      holder.addListener(document -> budgets.prepare(holder.current().budgets()));
    }
  }

  public ServerServiceDefinition definition() {
    return ServerInterceptors.intercept((BindableService) this, new StageInterceptor());
  }

  @Override
  public StreamObserver<ProcessingRequest> process(StreamObserver<ProcessingResponse> responses) {
    if (Boolean.TRUE.equals(StageInterceptor.UPSTREAM.get())) {
      return new UpstreamStageStream(responses, pending, parser);
    }
    return new RouterStageStream(responses, policy, pending, parser, limiter, inspector, budgets, usage);
  }

  /** Closes the request limits' Redis connection, if any. */
  public void close() {
    limiter.close();
    inspector.close();
    budgets.close();
  }

  /** Parsed bodies currently held; for tests and metrics. */
  public long pendingRequests() {
    return pending.size();
  }
}
