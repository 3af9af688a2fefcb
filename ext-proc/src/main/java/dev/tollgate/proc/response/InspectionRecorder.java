package dev.tollgate.proc.response;

import dev.tollgate.proc.inspect.AuditLog;
import dev.tollgate.proc.inspect.AuditRecord;
import dev.tollgate.proc.inspect.GatewayMetrics;
import dev.tollgate.proc.inspect.RequestInspection;
import io.micrometer.core.instrument.Counter;
import java.time.Duration;

/**
 * Records a response's end into the gateway's metrics (GenAI token usage, duration, time to first
 * token, time per output token, PII values masked in the answer) and writes the request's one
 * audit record.
 */
final class InspectionRecorder implements ResponseRecorder {
  static final String UNINSPECTED = "tollgate.response.uninspected";
  static final String BROKEN_EVENTS = "tollgate.response.broken_events";

  private final RequestInspection inspection;
  private final GatewayMetrics metrics;
  private final AuditLog audit;
  private final String backend;

  InspectionRecorder(RequestInspection inspection, GatewayMetrics metrics, AuditLog audit, String backend) {
    this.inspection = inspection;
    this.metrics = metrics;
    this.audit = audit;
    this.backend = backend == null ? "" : backend;
  }

  @Override
  public void record(ResponseSummary summary) {
    GatewayMetrics.Labels labels = inspection.labels(backend);
    summary.usage().ifPresent(usage -> metrics.recordTokens(labels, clamp(usage.promptTokens()),
        clamp(usage.completionTokens())));
    String errorType = summary.status() >= 400 ? Integer.toString(summary.status())
        : summary.outcome().equals(ResponseSummary.COMPLETE) ? "" : summary.outcome();
    metrics.recordOperationDuration(labels, Duration.ofNanos(summary.durationNanos()), errorType);
    if (summary.stream() && summary.firstTokenNanos() >= 0) {
      metrics.recordTimeToFirstToken(labels, Duration.ofNanos(summary.firstTokenNanos()));
      double perToken = summary.secondsPerOutputToken();
      if (perToken >= 0) {
        metrics.recordTimePerOutputToken(labels, Duration.ofNanos(Math.round(perToken * 1e9)));
      }
    }
    if (summary.uninspected() != null) {
      Counter.builder(UNINSPECTED).description("Response bodies passed without inspection, by reason")
          .tag("reason", summary.uninspected()).tag("gen_ai.request.model", inspection.model())
          .register(metrics.registry()).increment();
    }
    if (summary.brokenEvents() > 0) {
      Counter.builder(BROKEN_EVENTS).description("Stream events dropped: not JSON, cut off, or oversized")
          .tag("gen_ai.request.model", inspection.model())
          .register(metrics.registry()).increment(summary.brokenEvents());
    }
    if (summary.responsePii() != null) {
      metrics.recordPiiEntities(inspection.policyName(), "response", summary.responsePii());
    }
    if (audit != null && inspection.claimAudit()) {
      AuditRecord.Tokens tokens = summary.usage().map(usage -> new AuditRecord.Tokens(null,
          clamp(usage.promptTokens()), clamp(usage.completionTokens()), clamp(usage.cachedTokens()),
          clamp(usage.reasoningTokens()), clamp(usage.totalTokens()))).orElse(null);
      audit.write(inspection.allowedRecord(summary.status(), backend.isEmpty() ? null : backend,
          summary.providerModel(),
          tokens, summary.responsePii()));
    }
  }

  private static Integer clamp(long n) {
    return (int) Math.min(Integer.MAX_VALUE, n);
  }
}
