package dev.tollgate.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * When Envoy tries a model's request again. Retries happen only before any byte of the answer has
 * reached the client; a stream that fails midway is never replayed.
 */
public record RetryConfig(
    /* Retries after the first attempt, 0..5. Default: 1. */
    @JsonProperty("retries") Integer retries,
    /* Envoy retry conditions: connect-failure, refused-stream, reset, gateway-error (502/503/504),
       5xx, retriable-4xx. Default: [connect-failure, refused-stream, reset, gateway-error]. */
    @JsonProperty("retry_on") List<String> retryOn) {

  public static final int DEFAULT_RETRIES = 1;
  public static final List<String> DEFAULT_RETRY_ON =
      List.of("connect-failure", "refused-stream", "reset", "gateway-error");
  static final List<String> KNOWN_CONDITIONS =
      List.of("connect-failure", "refused-stream", "reset", "gateway-error", "5xx", "retriable-4xx");

  public RetryConfig {
    retryOn = retryOn == null ? null : Lists.copyOf(retryOn);
  }

  RetryConfig withDefaults() {
    return new RetryConfig(retries == null ? DEFAULT_RETRIES : retries,
        retryOn == null ? DEFAULT_RETRY_ON : retryOn);
  }
}
