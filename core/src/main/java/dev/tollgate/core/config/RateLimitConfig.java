package dev.tollgate.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A request-rate limit as a token bucket: it refills at {@code requests_per_minute} and holds at
 * most {@code burst} requests, so a caller that was quiet may send {@code burst} at once.
 */
public record RateLimitConfig(
    /* Sustained rate, requests per minute. Required when rate_limit is given; 1..1000000. */
    @JsonProperty("requests_per_minute") Integer requestsPerMinute,
    /* Bucket size: requests allowed at once after a quiet spell. Default: requests_per_minute. */
    @JsonProperty("burst") Integer burst) {

  /** The bucket size, with its default filled in. */
  public int burstOrDefault() {
    return burst == null ? requestsPerMinute : burst;
  }
}
