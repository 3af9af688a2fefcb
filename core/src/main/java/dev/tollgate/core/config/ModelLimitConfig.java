package dev.tollgate.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Limits on one consumer's (or one team's) use of the models matching {@code model}. Each model
 * name gets its own bucket and slots, so traffic to one model never uses up another's.
 */
public record ModelLimitConfig(
    /* Public model name or glob (* and ?). Required. The first entry that matches applies. */
    @JsonProperty("model") String model,
    /* Request rate for each matching model. Default: none (no rate limit). */
    @JsonProperty("rate_limit") RateLimitConfig rateLimit,
    /* Requests in flight for each matching model. Default: none (no limit). */
    @JsonProperty("max_concurrent_requests") Integer maxConcurrentRequests) {
}
