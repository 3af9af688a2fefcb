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
    @JsonProperty("models") List<String> models) {

  public ConsumerConfig {
    apiKeys = Lists.copyOf(apiKeys);
    models = models == null ? null : Lists.copyOf(models);
  }
}
