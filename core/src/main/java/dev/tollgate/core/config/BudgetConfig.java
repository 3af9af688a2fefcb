package dev.tollgate.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.math.BigDecimal;

/**
 * One budget: how many tokens and/or how much money a consumer, a team, or a consumer (or team) on
 * one model may spend per window. See docs/BUDGETS.md.
 */
public record BudgetConfig(
    /* Unique name, shown in 429 messages and metrics. Required. */
    @JsonProperty("name") String name,
    /* Consumer name, or "*" for every consumer on its own. Give consumer or team. Default: none. */
    @JsonProperty("consumer") String consumer,
    /* Team name: the team's consumers share the budget. Give consumer or team. Default: none. */
    @JsonProperty("team") String team,
    /* Public model name: the budget counts only this model. Default: none (every model). */
    @JsonProperty("model") String model,
    /* minute, hour, day or month (UTC). Required. */
    @JsonProperty("window") String window,
    /* true: a sliding window (two-bucket approximation); false: calendar-aligned. Default: false. */
    @JsonProperty("rolling") Boolean rolling,
    /* Most tokens (prompt + completion) per window. Default: none (no token limit). */
    @JsonProperty("tokens") Long tokens,
    /* Most USD per window, e.g. 5.00. Default: none (no money limit). Give tokens, usd or both. */
    @JsonProperty("usd") BigDecimal usd) {

  public static final String EVERY_CONSUMER = "*";

  public boolean isRolling() {
    return Boolean.TRUE.equals(rolling);
  }
}
