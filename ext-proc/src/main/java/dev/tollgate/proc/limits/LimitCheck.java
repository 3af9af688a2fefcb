package dev.tollgate.proc.limits;

import dev.tollgate.core.policy.RequestLimitsPolicy.Rate;

/**
 * One limit a request must pass: a token bucket, a concurrency cap, or both, on one key.
 *
 * @param key what is counted, e.g. {@code c/alice} or {@code c/alice/gpt-4o}; unique per decision
 * @param subject who is limited: "consumer" or "team"
 * @param name the consumer's or team's name
 * @param model the model for a per-model limit, or null for one over all models
 * @param rate null when this key has no rate limit
 * @param maxConcurrent requests in flight at once; 0 means no cap
 */
record LimitCheck(String key, String subject, String name, String model, Rate rate, int maxConcurrent) {
  boolean limitsConcurrency() {
    return maxConcurrent > 0;
  }

  /** Low-cardinality label for metrics: consumer, team, consumer_model or team_model. */
  String scope() {
    return model == null ? subject : subject + "_model";
  }

  /** Who is limited, for the 429 message: "consumer 'alice' on model 'gpt-4o'". Only built on refusal. */
  String description() {
    return subject + " '" + name + "'" + (model == null ? "" : " on model '" + model + "'");
  }
}
