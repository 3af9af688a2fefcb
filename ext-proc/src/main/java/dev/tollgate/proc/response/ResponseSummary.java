package dev.tollgate.proc.response;

import java.util.Map;
import java.util.Optional;

/**
 * What one response amounted to, handed to the metrics and the audit record when it ends.
 *
 * @param status            HTTP status from the provider (0 when none was seen)
 * @param usage             the provider's token counts; empty when it sent none
 * @param durationNanos     request arrival to response end
 * @param firstTokenNanos   request arrival to the first output text; -1 when none was seen
 * @param outcome           complete, truncated (stream ended without [DONE]), incomplete (the
 *                          exchange ended before the response did: client gone or upstream reset)
 * @param brokenEvents      stream events dropped because they were not valid JSON or too large
 * @param uninspected       why the body could not be inspected (e.g. too_large, encoding_br),
 *                          null when it was
 * @param providerModel     the model name the provider put in its answer, or null
 * @param responsePii       values the PII transform masked in the answer (text and tool-call
 *                          arguments), by entity type; null when no PII transform ran on it
 */
public record ResponseSummary(String publicModel, boolean stream, int status, Optional<TokenUsage> usage,
    long durationNanos, long firstTokenNanos, String outcome, int brokenEvents, String uninspected,
    String providerModel, Map<String, Integer> responsePii) {

  public static final String COMPLETE = "complete";
  public static final String TRUNCATED = "truncated";
  public static final String INCOMPLETE = "incomplete";

  /** Time per output token after the first, as OpenTelemetry defines it; -1 when unknown. */
  public double secondsPerOutputToken() {
    if (firstTokenNanos < 0 || usage.isEmpty() || usage.get().completionTokens() < 2) {
      return -1;
    }
    return (durationNanos - firstTokenNanos) / 1e9 / (usage.get().completionTokens() - 1);
  }
}
