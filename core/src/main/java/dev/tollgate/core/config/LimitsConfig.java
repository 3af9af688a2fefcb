package dev.tollgate.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Explicit size limits; anything larger is refused with 413 before it reaches a provider. */
public record LimitsConfig(
    /* Largest request body accepted, in bytes. Default: 1048576 (1 MiB). */
    @JsonProperty("max_request_body_bytes") Integer maxRequestBodyBytes) {

  public static final int DEFAULT_MAX_REQUEST_BODY_BYTES = 1024 * 1024;

  LimitsConfig withDefaults() {
    return new LimitsConfig(
        maxRequestBodyBytes == null ? DEFAULT_MAX_REQUEST_BODY_BYTES : maxRequestBodyBytes);
  }
}
