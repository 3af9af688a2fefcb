package dev.tollgate.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** A model provider Envoy sends requests to: one Envoy cluster. */
public record BackendConfig(
    /* Unique name, [a-z0-9][a-z0-9._-]*. Required. */
    @JsonProperty("name") String name,
    /* openai | openai-compatible. Required. */
    @JsonProperty("kind") BackendKind kind,
    /* At least one endpoint. Required. */
    @JsonProperty("endpoints") List<EndpointConfig> endpoints,
    /* Provider key by reference: env:VAR or file:PATH, never inline. Required for kind openai;
       default for openai-compatible: none (no Authorization header is sent upstream). */
    @JsonProperty("credential") String credential) {

  public BackendConfig {
    endpoints = Lists.copyOf(endpoints);
  }

  BackendConfig withDefaults() {
    return new BackendConfig(
        name, kind, endpoints.stream().map(e -> e == null ? null : e.withDefaults()).toList(),
        credential);
  }
}
