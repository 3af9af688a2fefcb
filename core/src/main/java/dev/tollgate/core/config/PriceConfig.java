package dev.tollgate.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.math.BigDecimal;

/**
 * One row of the price table: what a model costs per million tokens of each kind, from a date on.
 * Entries in {@code prices:} add to the shipped defaults ({@code default-prices.yaml}) and replace a
 * default with the same model, backend, upstream model and date.
 */
public record PriceConfig(
    /* Public model name (or, for the shipped defaults, the provider's model name). Required. */
    @JsonProperty("model") String model,
    /* Only when the request went to this backend. Default: any backend. */
    @JsonProperty("backend") String backend,
    /* Only when the provider answered with this model name. Default: any. */
    @JsonProperty("upstream_model") String upstreamModel,
    /* First day (UTC, YYYY-MM-DD) the price applies. Default: 1970-01-01 (always). */
    @JsonProperty("from") String from,
    /* USD per million input (prompt) tokens not served from cache, e.g. 2.50. Required. */
    @JsonProperty("input") BigDecimal input,
    /* USD per million output (completion) tokens. Required (0 for embeddings). */
    @JsonProperty("output") BigDecimal output,
    /* USD per million cached input tokens. Default: the input price. */
    @JsonProperty("cached_input") BigDecimal cachedInput,
    /* USD per million reasoning tokens (part of the output). Default: the output price. */
    @JsonProperty("reasoning") BigDecimal reasoning) {

  public static final String ALWAYS = "1970-01-01";

  public PriceConfig withDefaults() {
    return new PriceConfig(model, backend, upstreamModel, from == null ? ALWAYS : from, input, output,
        cachedInput == null ? input : cachedInput, reasoning == null ? output : reasoning);
  }
}
