package dev.tollgate.core.config;

import dev.tollgate.core.policy.Price;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;

/** Checks the {@code prices} and {@code budgets} sections; every finding names its YAML path. */
final class BudgetConfigValidator {
  static final Set<String> WINDOWS = Set.of("minute", "hour", "day", "month");
  static final long MAX_TOKENS = 1_000_000_000_000L;

  private BudgetConfigValidator() {}

  static void validate(GatewayConfig config, BiConsumer<String, String> add) {
    prices(config.prices(), add);
    BudgetsConfig budgets = config.budgets();
    Integer cap = budgets.defaultMaxTokens();
    if (cap != null && (cap < 1 || cap > 10_000_000)) {
      add.accept("budgets.default_max_tokens", "must be between 1 and 10000000, got " + cap);
    }
    Integer lease = budgets.leaseSeconds();
    if (lease != null && (lease < 10 || lease > 86_400)) {
      add.accept("budgets.lease_seconds", "must be between 10 and 86400, got " + lease);
    }
    Set<String> consumers = new HashSet<>();
    config.consumers().stream().filter(c -> c != null && c.name() != null).forEach(c -> consumers.add(c.name()));
    Set<String> teams = new HashSet<>();
    config.teams().stream().filter(t -> t != null && t.name() != null).forEach(t -> teams.add(t.name()));
    Set<String> models = new HashSet<>();
    config.models().stream().filter(m -> m != null && m.name() != null).forEach(m -> models.add(m.name()));
    Set<String> names = new HashSet<>();
    List<BudgetConfig> limits = budgets.limits();
    for (int i = 0; i < limits.size(); i++) {
      String at = "budgets.limits[" + i + "]";
      BudgetConfig budget = limits.get(i);
      if (budget == null) {
        add.accept(at, "empty budget entry");
        continue;
      }
      if (budget.name() == null || budget.name().isBlank()) {
        add.accept(at + ".name", "required");
      } else if (!budget.name().matches("[A-Za-z0-9_.-]{1,64}")) {
        add.accept(at + ".name", "letters, digits, '_', '.', '-' only, at most 64");
      } else if (!names.add(budget.name())) {
        add.accept(at + ".name", "duplicate budget name '" + budget.name() + "'");
      }
      if ((budget.consumer() == null) == (budget.team() == null)) {
        add.accept(at, "give exactly one of consumer or team");
      } else if (budget.consumer() != null && !BudgetConfig.EVERY_CONSUMER.equals(budget.consumer())
          && !consumers.contains(budget.consumer())) {
        add.accept(at + ".consumer", "no consumer named '" + budget.consumer() + "'");
      } else if (budget.team() != null && !teams.contains(budget.team())) {
        add.accept(at + ".team", "no team named '" + budget.team() + "'");
      }
      if (budget.model() != null && !models.contains(budget.model())) {
        add.accept(at + ".model", "no model named '" + budget.model() + "' in models");
      }
      if (budget.window() == null || !WINDOWS.contains(budget.window())) {
        add.accept(at + ".window", "must be minute, hour, day or month");
      }
      if (budget.tokens() == null && budget.usd() == null) {
        add.accept(at, "give tokens, usd or both");
      }
      if (budget.tokens() != null && (budget.tokens() < 1 || budget.tokens() > MAX_TOKENS)) {
        add.accept(at + ".tokens", "must be between 1 and " + MAX_TOKENS);
      }
      if (budget.usd() != null) {
        usd(at + ".usd", budget.usd(), add);
        if (budget.usd().signum() <= 0) {
          add.accept(at + ".usd", "must be more than 0");
        }
      }
    }
  }

  private static void prices(List<PriceConfig> prices, BiConsumer<String, String> add) {
    for (int i = 0; i < prices.size(); i++) {
      String at = "prices[" + i + "]";
      PriceConfig price = prices.get(i);
      if (price == null) {
        add.accept(at, "empty price entry");
        continue;
      }
      if (price.model() == null || price.model().isBlank()) {
        add.accept(at + ".model", "required");
      }
      if (price.from() != null) {
        try {
          LocalDate.parse(price.from());
        } catch (DateTimeParseException e) {
          add.accept(at + ".from", "must be a date, YYYY-MM-DD");
        }
      }
      if (price.input() == null) {
        add.accept(at + ".input", "required: USD per million input tokens");
      }
      if (price.output() == null) {
        add.accept(at + ".output", "required: USD per million output tokens (0 for embeddings)");
      }
      usd(at + ".input", price.input(), add);
      usd(at + ".output", price.output(), add);
      usd(at + ".cached_input", price.cachedInput(), add);
      usd(at + ".reasoning", price.reasoning(), add);
    }
  }

  private static void usd(String at, BigDecimal amount, BiConsumer<String, String> add) {
    if (amount == null) {
      return;
    }
    if (amount.signum() < 0) {
      add.accept(at, "must not be negative");
      return;
    }
    try {
      Price.nanos(amount);
    } catch (ArithmeticException e) {
      add.accept(at, "at most 9 decimals (nano-USD) and at most 9223372036 USD");
    }
  }
}
