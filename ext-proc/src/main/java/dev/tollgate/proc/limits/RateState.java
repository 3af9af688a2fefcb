package dev.tollgate.proc.limits;

import dev.tollgate.core.policy.RequestLimitsPolicy.Rate;

/**
 * A token bucket as it stands after a decision: what OpenAI's {@code x-ratelimit-*} headers report.
 *
 * @param tokens requests left in the bucket (fractional while it refills)
 */
record RateState(Rate rate, double tokens) {
  long remaining() {
    return (long) Math.floor(Math.max(0, tokens));
  }

  /** Time until the bucket is full again, OpenAI's "reset". */
  long resetMillis() {
    double missing = rate.burst() - tokens;
    return missing <= 0 ? 0 : (long) Math.ceil(missing * 60_000.0 / rate.requestsPerMinute());
  }

  /** Time until one whole request fits again. */
  long millisUntilOne() {
    return tokens >= 1 ? 0 : (long) Math.ceil((1 - tokens) * 60_000.0 / rate.requestsPerMinute());
  }
}
