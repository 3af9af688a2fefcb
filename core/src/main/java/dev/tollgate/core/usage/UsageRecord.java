package dev.tollgate.core.usage;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One request in the usage ledger: who asked for which model, what it cost, how it ended. Made by
 * the ext_proc router stage when the request ends (refused ones too), shipped to the control plane
 * and written there once: the request id is the idempotency key, so a batch sent twice is counted
 * once.
 *
 * @param requestId the gateway's request id (x-tollgate-request-id); the ledger's primary key
 * @param timeMs when the request arrived, epoch milliseconds (UTC)
 * @param consumer the authenticated consumer, or null when refused before one was known
 * @param team the consumer's team, or null
 * @param model the public model asked for, or null when the body named none
 * @param backend the backend that answered, or null when not known (refused, or not reported)
 * @param endpoint the API path, e.g. /v1/chat/completions
 * @param status the HTTP status the client got; 0 when the exchange ended before any
 * @param promptTokens tokens by type as charged: the provider's usage, else the gateway's estimate
 * @param costNanos cost in nano-USD (1e-9 USD) at the price table's price; 0 when free or unpriced
 * @param latencyMs request arrival to the end of the exchange
 * @param estimated true when the counts are the gateway's own (no provider usage)
 */
public record UsageRecord(
    @JsonProperty("request_id") String requestId,
    @JsonProperty("time_ms") long timeMs,
    @JsonProperty("consumer") String consumer,
    @JsonProperty("team") String team,
    @JsonProperty("model") String model,
    @JsonProperty("backend") String backend,
    @JsonProperty("endpoint") String endpoint,
    @JsonProperty("status") int status,
    @JsonProperty("prompt_tokens") long promptTokens,
    @JsonProperty("completion_tokens") long completionTokens,
    @JsonProperty("cached_tokens") long cachedTokens,
    @JsonProperty("reasoning_tokens") long reasoningTokens,
    @JsonProperty("cost_nanos") long costNanos,
    @JsonProperty("latency_ms") long latencyMs,
    @JsonProperty("estimated") boolean estimated) {

  /** Longest request id the ledger keeps; longer ones are a client's, not the gateway's. */
  public static final int MAX_REQUEST_ID = 128;

  public long totalTokens() {
    return promptTokens + completionTokens;
  }
}
