package dev.tollgate.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/** One destination of a model: a backend and the model name that backend knows it by. */
public record TargetConfig(
    /* Name of a backend. Required. */
    @JsonProperty("backend") String backend,
    /* Model name sent upstream. Default: the public model name. */
    @JsonProperty("model") String model,
    /* Share of traffic relative to the other targets, 0..10000. Default: 1. */
    @JsonProperty("weight") Integer weight) {

  TargetConfig withDefaults(String publicName) {
    return new TargetConfig(backend, model == null ? publicName : model, weight == null ? 1 : weight);
  }
}
