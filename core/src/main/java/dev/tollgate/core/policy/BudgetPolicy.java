package dev.tollgate.core.policy;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.tollgate.core.config.BudgetConfig;
import dev.tollgate.core.config.BudgetsConfig;
import dev.tollgate.core.config.GatewayConfig;
import dev.tollgate.core.config.PriceConfig;
import dev.tollgate.core.config.RedisConfig;
import java.util.List;

/**
 * Prices and budgets as the ext services enforce them, in the policy document.
 *
 * @param prices the shipped default prices with the configured ones on top
 * @param budgets the configured budgets, in config order
 * @param defaultMaxTokens completion cap written into requests without one
 * @param leaseSeconds how long a reservation outlives a gateway that died holding it
 * @param redis where reservations and spend are counted when replicas share them; null: in memory
 */
public record BudgetPolicy(
    @JsonProperty("prices") List<PriceConfig> prices,
    @JsonProperty("budgets") List<BudgetConfig> budgets,
    @JsonProperty("default_max_tokens") int defaultMaxTokens,
    @JsonProperty("lease_seconds") int leaseSeconds,
    @JsonProperty("redis") RedisConfig redis) {

  public static final BudgetPolicy NONE = new BudgetPolicy(null, List.of(), BudgetsConfig.DEFAULT_MAX_TOKENS,
      BudgetsConfig.DEFAULT_LEASE_SECONDS, null);

  public BudgetPolicy {
    prices = prices == null ? PriceTable.merged(List.of()) : List.copyOf(prices);
    budgets = budgets == null ? List.of() : List.copyOf(budgets);
    defaultMaxTokens = defaultMaxTokens <= 0 ? BudgetsConfig.DEFAULT_MAX_TOKENS : defaultMaxTokens;
    leaseSeconds = leaseSeconds <= 0 ? BudgetsConfig.DEFAULT_LEASE_SECONDS : leaseSeconds;
  }

  public static BudgetPolicy from(GatewayConfig config) {
    BudgetsConfig budgets = config.budgets();
    return new BudgetPolicy(PriceTable.merged(config.prices()), budgets.limits(), budgets.defaultMaxTokens(),
        budgets.leaseSeconds(), config.redis());
  }

  /** The price table, compiled; cheap enough per policy version, cached by the ext services. */
  @JsonIgnore
  public PriceTable priceTable() {
    return PriceTable.of(prices);
  }
}
