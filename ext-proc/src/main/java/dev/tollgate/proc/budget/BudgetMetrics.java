package dev.tollgate.proc.budget;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Current spend and remaining budget per budget and subject, as this process last saw them (at
 * its last reservation or settlement on that budget; with Redis other replicas' spend shows up
 * on the next decision here). Money in USD, tokens in tokens.
 */
final class BudgetMetrics {
  static final String SPENT = "tollgate.budget.spent";
  static final String REMAINING = "tollgate.budget.remaining";
  static final String DECISIONS = "tollgate.budget.decisions";

  private final MeterRegistry registry;
  private final ConcurrentMap<String, State> states = new ConcurrentHashMap<>();

  private static final class State {
    volatile double spent;
    volatile double remaining;
  }

  BudgetMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  void update(List<BudgetCheck> checks, List<BudgetStore.Standing> standings) {
    if (standings == null) {
      return;
    }
    for (int i = 0; i < checks.size() && i < standings.size(); i++) {
      update(checks.get(i), standings.get(i));
    }
  }

  void update(BudgetCheck check, BudgetStore.Standing standing) {
    State state = states.computeIfAbsent(check.key(), key -> register(check));
    double scale = check.unit() == BudgetCheck.Unit.TOKENS ? 1 : 1e-9;
    state.spent = standing.spent() * scale;
    state.remaining = Math.max(0, check.limit() - standing.spent() - standing.held()) * scale;
  }

  private State register(BudgetCheck check) {
    State state = new State();
    Gauge.builder(SPENT, state, s -> s.spent).description("Spend settled in the budget's current window")
        .tag("budget", check.budget()).tag("subject", check.subject()).tag("unit", check.unit().label)
        .register(registry);
    Gauge.builder(REMAINING, state, s -> s.remaining)
        .description("What is left in the budget's current window after spend and live reservations")
        .tag("budget", check.budget()).tag("subject", check.subject()).tag("unit", check.unit().label)
        .register(registry);
    return state;
  }

  void decision(String store, String outcome) {
    Counter.builder(DECISIONS).description("Budget reservations by outcome and store")
        .tag("store", store).tag("outcome", outcome).register(registry).increment();
  }
}
