package dev.tollgate.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * One JWT issuer. A token is matched to its provider by its {@code iss} claim; its signature is
 * checked against the provider's JWKS with an algorithm from the provider's allow-list only.
 */
public record JwtProviderConfig(
    /* Unique name, for logs. Required. */
    @JsonProperty("name") String name,
    /* Exact expected "iss" claim. Required; unique across providers. */
    @JsonProperty("issuer") String issuer,
    /* The token's "aud" must contain one of these. Required (at least one). */
    @JsonProperty("audiences") List<String> audiences,
    /* Where the public keys are fetched (http or https). Exactly one of jwks_url and jwks. */
    @JsonProperty("jwks_url") String jwksUrl,
    /* Inline JWKS ({"keys": [...]}), public keys only. Exactly one of jwks_url and jwks. */
    @JsonProperty("jwks") Map<String, Object> jwks,
    /* Allowed signature algorithms. Default: [RS256, ES256]. Asymmetric only: none and HS* are refused. */
    @JsonProperty("algorithms") List<String> algorithms,
    /* Tolerance for exp and nbf, in seconds. Default: 60; at most 300. */
    @JsonProperty("clock_skew_seconds") Integer clockSkewSeconds,
    /* How long fetched keys are used before a background refetch (tokens keep using them meanwhile);
       also the longest pause between retries while the issuer fails. Default: 300. */
    @JsonProperty("jwks_cache_seconds") Integer jwksCacheSeconds,
    /* Bound on one JWKS fetch. Default: 500 ms; keep it below ext_services.timeout_ms. */
    @JsonProperty("jwks_timeout_ms") Integer jwksTimeoutMs,
    /* Least time between two fetches caused by an unknown kid. Default: 10 s. */
    @JsonProperty("jwks_min_refetch_seconds") Integer jwksMinRefetchSeconds,
    /* Claim naming the consumer; it must name a configured consumer. Default: sub. */
    @JsonProperty("consumer_claim") String consumerClaim,
    /* Claim naming the team; when set, it must equal the consumer's team. Default: none (not checked). */
    @JsonProperty("team_claim") String teamClaim,
    /* Claim holding scopes (space-separated string or array); narrows the consumer's scopes. Default: scope. */
    @JsonProperty("scope_claim") String scopeClaim) {

  public static final List<String> DEFAULT_ALGORITHMS = List.of("RS256", "ES256");
  /** Asymmetric algorithms only: with no shared secret there is no HMAC/RSA key confusion. */
  public static final List<String> SUPPORTED_ALGORITHMS = List.of(
      "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512");
  public static final int MAX_CLOCK_SKEW_SECONDS = 300;

  public JwtProviderConfig {
    audiences = audiences == null ? null : Lists.copyOf(audiences);
    algorithms = algorithms == null ? null : Lists.copyOf(algorithms);
    jwks = jwks == null ? null : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(jwks));
  }

  JwtProviderConfig withDefaults() {
    return new JwtProviderConfig(name, issuer, audiences == null ? List.of() : audiences, jwksUrl, jwks,
        algorithms == null ? DEFAULT_ALGORITHMS : algorithms,
        clockSkewSeconds == null ? 60 : clockSkewSeconds,
        jwksCacheSeconds == null ? 300 : jwksCacheSeconds,
        jwksTimeoutMs == null ? 500 : jwksTimeoutMs,
        jwksMinRefetchSeconds == null ? 10 : jwksMinRefetchSeconds,
        consumerClaim == null ? "sub" : consumerClaim,
        teamClaim,
        scopeClaim == null ? "scope" : scopeClaim);
  }
}
