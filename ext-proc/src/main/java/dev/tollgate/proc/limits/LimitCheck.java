package dev.tollgate.proc.limits;

import dev.tollgate.core.policy.RequestLimitsPolicy.Rate;

/**
 * One limit a request must pass: a token bucket, a concurrency cap, or both, on one key.
 *
 * @param key what is counted, e.g. {@code c/alice} or {@code cm/alice/gpt-4o}; unique per decision
 * @param description who is limited, for the 429 message: "consumer 'alice'", ...
 * @param scope low-cardinality label for metrics: consumer, team, consumer_model, team_model
 * @param rate null when this key has no rate limit
 * @param maxConcurrent requests in flight at once; 0 means no cap
 */
record LimitCheck(String key, String description, String scope, Rate rate, int maxConcurrent) {
  boolean limitsConcurrency() {
    return maxConcurrent > 0;
  }
}
