package dev.tollgate.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * Which requests an inspection policy applies to. Each list holds names or globs ({@code *} any
 * run of characters, {@code ?} one character); an empty list matches anything; a request must fit
 * every non-empty list.
 */
public record PolicyMatchConfig(
    /* Public model names the client asks for. Default: [] (any model). */
    @JsonProperty("models") List<String> models,
    /* Consumer names. Default: [] (any consumer). */
    @JsonProperty("consumers") List<String> consumers,
    /* Team names; a consumer without a team never matches a non-empty list. Default: [] (any). */
    @JsonProperty("teams") List<String> teams,
    /* Request paths: /v1/chat/completions, /v1/completions, /v1/embeddings, or globs such as
       /v1/*completions. Default: [] (every model endpoint). */
    @JsonProperty("endpoints") List<String> endpoints) {

  public static final PolicyMatchConfig ANY = new PolicyMatchConfig(null, null, null, null);

  public PolicyMatchConfig {
    models = Lists.copyOf(models);
    consumers = Lists.copyOf(consumers);
    teams = Lists.copyOf(teams);
    endpoints = Lists.copyOf(endpoints);
  }
}
