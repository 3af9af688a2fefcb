package dev.tollgate.proc.budget;

import dev.tollgate.core.config.BudgetConfig;
import dev.tollgate.core.identity.CallerIdentity;
import dev.tollgate.core.policy.BudgetPolicy;
import dev.tollgate.core.policy.Price;
import dev.tollgate.core.policy.PriceTable;
import java.util.ArrayList;
import java.util.List;

/** A policy's budgets and prices, compiled once per policy version. Immutable. */
final class BudgetPlan {
  private final BudgetPolicy policy;
  private final PriceTable prices;

  BudgetPlan(BudgetPolicy policy) {
    this.policy = policy;
    this.prices = policy.priceTable();
  }

  BudgetPolicy policy() {
    return policy;
  }

  PriceTable prices() {
    return prices;
  }

  /** Every budget that counts this caller's request for this model, in config order. */
  List<BudgetCheck> checks(CallerIdentity caller, String model) {
    List<BudgetCheck> checks = new ArrayList<>();
    for (BudgetConfig budget : policy.budgets()) {
      if (budget.model() != null && !budget.model().equals(model)) {
        continue;
      }
      String subject;
      if (budget.consumer() != null) {
        if (!budget.consumer().equals(BudgetConfig.EVERY_CONSUMER) && !budget.consumer().equals(caller.consumer())) {
          continue;
        }
        subject = "consumer:" + caller.consumer();
      } else if (budget.team() != null && budget.team().equals(caller.team())) {
        subject = "team:" + budget.team();
      } else {
        continue;
      }
      BudgetWindow window = BudgetWindow.of(budget.window());
      if (budget.tokens() != null) {
        checks.add(new BudgetCheck(budget.name(), subject, budget.name() + "|" + subject + "|tokens",
            BudgetCheck.Unit.TOKENS, budget.tokens(), window, budget.isRolling(), budget.model()));
      }
      if (budget.usd() != null) {
        checks.add(new BudgetCheck(budget.name(), subject, budget.name() + "|" + subject + "|usd",
            BudgetCheck.Unit.NANO_USD, Price.nanos(budget.usd()), window, budget.isRolling(), budget.model()));
      }
    }
    return checks;
  }
}
