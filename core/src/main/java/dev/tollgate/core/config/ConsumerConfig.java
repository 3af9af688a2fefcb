package dev.tollgate.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** A caller: an application or team member holding API keys. */
public record ConsumerConfig(
    /* Unique name, reported to ext_proc, logs and metrics. Required. */
    @JsonProperty("name") String name,
    /* API keys as "sha256:<64 hex>" of the key; never the key itself. Default: none. */
    @JsonProperty("api_keys") List<String> apiKeys,
    /* Public model names or globs (* and ?) this consumer may use. Required: no implicit access. */
    @JsonProperty("models") List<String> models,
    /* The team (tenant) this consumer belongs to; its rights bound the consumer's. Default: none. */
    @JsonProperty("team") String team,
    /* Scopes (chat, completions, embeddings) this consumer holds. Default: all scopes. */
    @JsonProperty("scopes") List<String> scopes,
    /* Endpoints this consumer may call (e.g. /v1/chat/completions). Default: all model endpoints. */
    @JsonProperty("endpoints") List<String> endpoints,
    /* Plan label handed to limits and reports. Default: "" (none). */
    @JsonProperty("plan") String plan,
    /* Mesh workloads (spiffe://...) that call as this consumer without a key. Default: none. */
    @JsonProperty("spiffe_ids") List<String> spiffeIds,
    /* Calls must come over mesh mTLS with a SPIFFE ID (one of spiffe_ids, if listed). Default: false. */
    @JsonProperty("require_spiffe_id") Boolean requireSpiffeId,
    /* Request rate of this consumer, all models together. Default: none (no rate limit). */
    @JsonProperty("rate_limit") RateLimitConfig rateLimit,
    /* Requests of this consumer in flight at once. Default: none (no limit). */
    @JsonProperty("max_concurrent_requests") Integer maxConcurrentRequests,
    /* Limits per model for this consumer, on top of the ones above. Default: none. */
    @JsonProperty("model_limits") List<ModelLimitConfig> modelLimits) {

  public ConsumerConfig {
    apiKeys = Lists.copyOf(apiKeys);
    models = models == null ? null : Lists.copyOf(models);
    scopes = scopes == null ? AccessNames.SCOPES : Lists.copyOf(scopes);
    endpoints = endpoints == null ? AccessNames.ENDPOINTS : Lists.copyOf(endpoints);
    plan = plan == null ? "" : plan;
    spiffeIds = Lists.copyOf(spiffeIds);
    requireSpiffeId = requireSpiffeId != null && requireSpiffeId;
    modelLimits = Lists.copyOf(modelLimits);
  }

  /** A consumer with API keys and models only; every identity field at its default. */
  public ConsumerConfig(String name, List<String> apiKeys, List<String> models) {
    this(name, apiKeys, models, null, null, null, null, null, null, null, null, null);
  }
}
