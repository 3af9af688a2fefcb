package dev.tollgate.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** A public model name and where its traffic goes. Several targets make a weighted split. */
public record ModelConfig(
    /* The name clients put in "model". Required, unique. */
    @JsonProperty("name") String name,
    /* One or more targets. Required. */
    @JsonProperty("targets") List<TargetConfig> targets,
    /* Upstream request timeout in ms (whole response, streams included). Default: 300000. */
    @JsonProperty("timeout_ms") Integer timeoutMs,
    /* Longest silence from the provider in ms, before the first byte or between two chunks of a
       stream. Past it the attempt fails: retried (see retry) or 504 if nothing reached the client
       yet, the stream cut if it had started. Default: 60000. */
    @JsonProperty("idle_timeout_ms") Integer idleTimeoutMs,
    /* Retry policy. Default: one retry on connect-failure, refused-stream, reset, gateway-error. */
    @JsonProperty("retry") RetryConfig retry) {

  public static final int DEFAULT_TIMEOUT_MS = 300_000;
  public static final int DEFAULT_IDLE_TIMEOUT_MS = 60_000;

  public ModelConfig {
    targets = Lists.copyOf(targets);
  }

  ModelConfig withDefaults() {
    return new ModelConfig(
        name, targets.stream().map(t -> t == null ? null : t.withDefaults(name)).toList(),
        timeoutMs == null ? DEFAULT_TIMEOUT_MS : timeoutMs,
        idleTimeoutMs == null ? DEFAULT_IDLE_TIMEOUT_MS : idleTimeoutMs,
        (retry == null ? new RetryConfig(null, null) : retry).withDefaults());
  }
}
