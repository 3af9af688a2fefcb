package dev.tollgate.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** The {@code budgets:} section: hard token and money budgets, reserved before and settled after. */
public record BudgetsConfig(
    /* Completion cap written into requests that give no max_tokens, clamped to what is left. Default: 4096. */
    @JsonProperty("default_max_tokens") Integer defaultMaxTokens,
    /* A reservation whose gateway died is released after this many seconds. Default: 600. */
    @JsonProperty("lease_seconds") Integer leaseSeconds,
    /* The budgets; every matching one must have room. Default: none. */
    @JsonProperty("limits") List<BudgetConfig> limits) {

  public static final int DEFAULT_MAX_TOKENS = 4096;
  public static final int DEFAULT_LEASE_SECONDS = 600;
  public static final BudgetsConfig NONE = new BudgetsConfig(DEFAULT_MAX_TOKENS, DEFAULT_LEASE_SECONDS, List.of());

  public BudgetsConfig {
    limits = Lists.copyOf(limits);
  }

  BudgetsConfig withDefaults() {
    return new BudgetsConfig(defaultMaxTokens == null ? DEFAULT_MAX_TOKENS : defaultMaxTokens,
        leaseSeconds == null ? DEFAULT_LEASE_SECONDS : leaseSeconds, limits);
  }
}
