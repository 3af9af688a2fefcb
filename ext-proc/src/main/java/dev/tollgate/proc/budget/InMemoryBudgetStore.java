package dev.tollgate.proc.budget;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** Budgets counted in this process. One lock: a decision is a few map lookups. */
final class InMemoryBudgetStore implements BudgetStore {
  private final Map<String, Counter> counters = new HashMap<>();
  private final Map<String, Lease> leases = new HashMap<>();

  private static final class Counter {
    /** Settled spend by bucket start; only the current and previous bucket are kept. */
    final Map<Long, Long> buckets = new HashMap<>();
    long held;

    long spent(BudgetWindow.Position position) {
      buckets.keySet().removeIf(start -> start < position.previous());
      return BudgetWindow.used(buckets.getOrDefault(position.current(), 0L),
          buckets.getOrDefault(position.previous(), 0L), position);
    }
  }

  private record Lease(long expiresAt, List<String> keys, long[] amounts) {}

  @Override
  public synchronized Result reserve(List<BudgetCheck> checks, Demand demand, String leaseId, long leaseMillis,
      long nowMillis) {
    expire(nowMillis);
    long perChoice = demand.perChoice();
    for (int i = 0; i < checks.size(); i++) {
      BudgetCheck check = checks.get(i);
      BudgetWindow.Position position = check.window().position(nowMillis, check.rolling());
      Counter counter = counters.computeIfAbsent(check.key(), k -> new Counter());
      long spent = counter.spent(position);
      long fits = demand.perChoiceFitting(check.unit(), check.limit() - spent - counter.held);
      if (fits < demand.minPerChoice() || fits < 0) {
        return new Exceeded(i, new Standing(spent, counter.held), position.resetAt());
      }
      perChoice = Math.min(perChoice, fits);
    }
    long[] amounts = new long[checks.size()];
    List<String> keys = new ArrayList<>();
    List<Standing> standings = new ArrayList<>();
    for (int i = 0; i < checks.size(); i++) {
      BudgetCheck check = checks.get(i);
      Counter counter = counters.get(check.key());
      amounts[i] = demand.amount(check.unit(), perChoice);
      counter.held += amounts[i];
      keys.add(check.key());
      standings.add(new Standing(counter.spent(check.window().position(nowMillis, check.rolling())), counter.held));
    }
    leases.put(leaseId, new Lease(nowMillis + leaseMillis, keys, amounts));
    return new Reserved(perChoice, standings);
  }

  @Override
  public synchronized List<Standing> settle(List<BudgetCheck> checks, String leaseId, long[] actual, long nowMillis) {
    release(leases.remove(leaseId));
    List<Standing> standings = new ArrayList<>();
    for (int i = 0; i < checks.size(); i++) {
      BudgetCheck check = checks.get(i);
      BudgetWindow.Position position = check.window().position(nowMillis, check.rolling());
      Counter counter = counters.computeIfAbsent(check.key(), k -> new Counter());
      counter.buckets.merge(position.current(), actual[i], Long::sum);
      standings.add(new Standing(counter.spent(position), counter.held));
    }
    return standings;
  }

  private void expire(long nowMillis) {
    Iterator<Lease> live = leases.values().iterator();
    while (live.hasNext()) {
      Lease lease = live.next();
      if (lease.expiresAt() <= nowMillis) {
        live.remove();
        release(lease);
      }
    }
  }

  private void release(Lease lease) {
    if (lease == null) {
      return;
    }
    for (int i = 0; i < lease.keys().size(); i++) {
      Counter counter = counters.get(lease.keys().get(i));
      if (counter != null) {
        counter.held = Math.max(0, counter.held - lease.amounts()[i]);
      }
    }
  }

  @Override
  public String kind() {
    return "memory";
  }

  @Override
  public void close() {}
}
