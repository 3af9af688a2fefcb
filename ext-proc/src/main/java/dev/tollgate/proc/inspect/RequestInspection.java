package dev.tollgate.proc.inspect;

import dev.tollgate.core.config.ResponseRewriteConfig;
import dev.tollgate.core.identity.CallerIdentity;
import dev.tollgate.inspect.guard.GuardAction;
import dev.tollgate.inspect.guard.GuardVerdict;
import dev.tollgate.inspect.pii.PiiEngine;
import dev.tollgate.inspect.pii.Pseudonyms;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What the request side decided about one accepted request, kept with the parsed body for the
 * response side: which policy applied, the prompt's token count, the guard verdict, the PII
 * pseudonyms to restore, and what the audit record needs. One per request, never shared.
 *
 * @param policyName the policy that applied, or null when none did (not inspected)
 * @param policyVersion the policy document version the request was decided by
 * @param promptTokens the gateway's own prompt count, or null when not inspected
 * @param pseudonyms this request's placeholders, or null without PII pseudonymisation
 * @param verdict the guard's verdict, or null without a guard
 * @param clientStream the client asked for a stream
 * @param clientAskedUsage the client itself asked for {@code stream_options.include_usage}
 * @param caller who is calling (never null for an accepted request)
 * @param model the public model name the client asked for
 * @param startNanos {@link System#nanoTime()} when the request headers arrived
 * @param requestId the gateway's request id
 * @param endpoint the request path
 * @param startTime wall-clock time the request arrived, for the audit record
 * @param pii the policy's PII engine for the response side, or null
 * @param response the policy's response rewriting, or null
 * @param piiRequestCounts PII values found in the request, by entity type (empty if none)
 * @param auditPrompt the texts as sent upstream, only when the policy has audit.include_prompt
 */
public record RequestInspection(
    String policyName,
    String policyVersion,
    Integer promptTokens,
    Pseudonyms pseudonyms,
    GuardVerdict verdict,
    boolean clientStream,
    boolean clientAskedUsage,
    CallerIdentity caller,
    String model,
    long startNanos,
    String requestId,
    String endpoint,
    Instant startTime,
    PiiEngine pii,
    ResponseRewriteConfig response,
    Map<String, Integer> piiRequestCounts,
    List<AuditRecord.PromptEntry> auditPrompt,
    AtomicBoolean audited) {

  /** Response header that marks a request the guard flagged (action flag). */
  public static final String GUARD_HEADER = "x-tollgate-guard";

  public RequestInspection {
    piiRequestCounts = piiRequestCounts == null ? Map.of() : Map.copyOf(piiRequestCounts);
    audited = audited == null ? new AtomicBoolean() : audited;
  }

  public boolean inspected() {
    return policyName != null;
  }

  /**
   * The value of {@value #GUARD_HEADER} for the client's response, or null. Named reasons only,
   * never prompt text.
   */
  public String guardHeader() {
    if (verdict == null || verdict.action() != GuardAction.FLAG) {
      return null;
    }
    return "flagged; reason=" + verdict.reasonCode()
        + (verdict.reasons().isEmpty() ? "" : "; reasons=" + String.join(",", verdict.reasons()));
  }

  /** Labels for {@link GatewayMetrics}; backend as the response side learnt it, or "". */
  public GatewayMetrics.Labels labels(String backend) {
    return new GatewayMetrics.Labels(operation(endpoint), model, caller == null ? "" : caller.consumer(),
        caller == null ? "" : caller.team(), backend);
  }

  /**
   * True the first time only: one audit record per request, whichever path ends it (the response
   * side at response end, or the router stage when the stream ends without a response).
   */
  public boolean claimAudit() {
    return audited.compareAndSet(false, true);
  }

  /**
   * The audit record of a request that went upstream, with what the response side learnt.
   *
   * @param usage token counts from the provider's usage, or null; the gateway's count is added
   * @param responsePii PII values found in the response by entity type, or null
   */
  public AuditRecord allowedRecord(int status, String backend, String upstreamModel, AuditRecord.Tokens usage,
      Map<String, Integer> responsePii) {
    AuditRecord.Tokens tokens = usage == null
        ? new AuditRecord.Tokens(promptTokens, null, null, null, null, null)
        : new AuditRecord.Tokens(promptTokens, usage.prompt(), usage.completion(), usage.cached(),
            usage.reasoning(), usage.total());
    return record(AuditRecord.ALLOWED, null, status, backend, upstreamModel, tokens, null, responsePii);
  }

  AuditRecord record(String decision, String reasonCode, int status, String backend, String upstreamModel,
      AuditRecord.Tokens tokens, List<String> blockedTypes, Map<String, Integer> responsePii) {
    AuditRecord.Guard guard = verdict == null ? null : new AuditRecord.Guard(
        verdict.action().name().toLowerCase(java.util.Locale.ROOT), verdict.reasonCode(), verdict.score(),
        verdict.reasons());
    AuditRecord.Pii piiPart = pii == null && piiRequestCounts.isEmpty() && responsePii == null ? null
        : new AuditRecord.Pii(piiRequestCounts, blockedTypes, responsePii);
    double latencyMs = (System.nanoTime() - startNanos) / 1e6;
    return new AuditRecord(requestId, startTime.toString(), caller == null ? null : caller.consumer(),
        caller == null ? null : caller.team(), endpoint, model, upstreamModel, backend, clientStream, decision,
        reasonCode, status, Math.round(latencyMs * 1000) / 1000.0, tokens, guard, piiPart,
        policyName == null ? null : new AuditRecord.Policy(policyName, policyVersion), auditPrompt);
  }

  /** An HTTP status header value as a number; 0 when absent or malformed. */
  public static int status(String header) {
    try {
      return header == null ? 0 : Integer.parseInt(header.strip());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  static String operation(String endpoint) {
    if (endpoint == null) {
      return "";
    }
    return switch (endpoint) {
      case "/v1/chat/completions" -> "chat";
      case "/v1/completions" -> "text_completion";
      case "/v1/embeddings" -> "embeddings";
      default -> "";
    };
  }
}
