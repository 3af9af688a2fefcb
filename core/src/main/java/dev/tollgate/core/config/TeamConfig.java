package dev.tollgate.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * A team (tenant): the outer bound on what its consumers may do. A consumer's effective rights
 * are its own intersected with its team's, so a team can only take rights away.
 */
public record TeamConfig(
    /* Unique name, referenced by consumers[].team. Required. */
    @JsonProperty("name") String name,
    /* Public model names or globs the team's consumers may use. Default: ["*"] (the consumer's own list decides). */
    @JsonProperty("models") List<String> models,
    /* Endpoints (e.g. /v1/chat/completions) the team may call. Default: all model endpoints. */
    @JsonProperty("endpoints") List<String> endpoints,
    /* Scopes (chat, completions, embeddings) the team may hold. Default: all scopes. */
    @JsonProperty("scopes") List<String> scopes,
    /* Each model needs an approved subscription per consumer. Default: false. */
    @JsonProperty("require_subscription") Boolean requireSubscription,
    /* Calls must come over mesh mTLS with a SPIFFE ID. Default: false. */
    @JsonProperty("require_spiffe_id") Boolean requireSpiffeId,
    /* Request rate of all the team's consumers together. Default: none (no rate limit). */
    @JsonProperty("rate_limit") RateLimitConfig rateLimit,
    /* Requests of all the team's consumers in flight at once. Default: none (no limit). */
    @JsonProperty("max_concurrent_requests") Integer maxConcurrentRequests,
    /* Limits per model for the whole team, on top of the ones above. Default: none. */
    @JsonProperty("model_limits") List<ModelLimitConfig> modelLimits) {

  public TeamConfig {
    models = models == null ? null : Lists.copyOf(models);
    endpoints = endpoints == null ? null : Lists.copyOf(endpoints);
    scopes = scopes == null ? null : Lists.copyOf(scopes);
    modelLimits = Lists.copyOf(modelLimits);
  }

  TeamConfig withDefaults() {
    return new TeamConfig(name, models == null ? List.of("*") : models,
        endpoints == null ? AccessNames.ENDPOINTS : endpoints,
        scopes == null ? AccessNames.SCOPES : scopes,
        requireSubscription != null && requireSubscription,
        requireSpiffeId != null && requireSpiffeId, rateLimit, maxConcurrentRequests, modelLimits);
  }
}
