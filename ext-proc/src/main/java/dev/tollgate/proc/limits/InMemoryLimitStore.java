package dev.tollgate.proc.limits;

import dev.tollgate.core.policy.RequestLimitsPolicy.Rate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * Limits counted in this process. Each key has its own lock; a decision locks only its own keys,
 * always in key order so two decisions never deadlock, so callers on different keys never wait
 * for each other. Nothing expires: a slot is held exactly until its request releases it.
 */
final class InMemoryLimitStore implements LimitStore {
  private final ConcurrentHashMap<String, KeyState> states = new ConcurrentHashMap<>();
  private final LongSupplier nanoClock;

  InMemoryLimitStore(LongSupplier nanoClock) {
    this.nanoClock = nanoClock;
  }

  InMemoryLimitStore() {
    this(System::nanoTime);
  }

  /** The bucket and in-flight count of one key. Guarded by {@link #lock}. */
  private static final class KeyState {
    final ReentrantLock lock = new ReentrantLock();
    double tokens = Double.NaN;
    long updatedNanos;
    int inFlight;

    double refilled(Rate rate, long now) {
      if (Double.isNaN(tokens)) {
        return rate.burst();
      }
      double perNano = rate.requestsPerMinute() / 60e9;
      return Math.min(rate.burst(), tokens + Math.max(0, now - updatedNanos) * perNano);
    }
  }

  @Override
  public Decision decide(List<LimitCheck> checks, long leaseMillis) {
    int n = checks.size();
    KeyState[] states = new KeyState[n];
    for (int i = 0; i < n; i++) {
      states[i] = this.states.computeIfAbsent(checks.get(i).key(), k -> new KeyState());
    }
    // Locks in key order, so two decisions never wait for each other in a cycle. LimitPlan
    // already hands the checks over sorted; sort only if someone else did not.
    int[] order = lockOrder(checks);
    int locked = 0;
    try {
      for (; locked < n; locked++) {
        states[order[locked]].lock.lock();
      }
      return decideLocked(checks, states);
    } finally {
      for (int i = locked - 1; i >= 0; i--) {
        states[order[i]].lock.unlock();
      }
    }
  }

  private static int[] lockOrder(List<LimitCheck> checks) {
    int n = checks.size();
    int[] order = new int[n];
    boolean sorted = true;
    for (int i = 0; i < n; i++) {
      order[i] = i;
      if (i > 0 && checks.get(i - 1).key().compareTo(checks.get(i).key()) > 0) {
        sorted = false;
      }
    }
    if (!sorted) {
      order = java.util.stream.IntStream.range(0, n).boxed()
          .sorted(Comparator.comparing(i -> checks.get(i).key())).mapToInt(Integer::intValue).toArray();
    }
    return order;
  }

  private Decision decideLocked(List<LimitCheck> checks, KeyState[] states) {
    long now = nanoClock.getAsLong();
    double[] tokens = new double[checks.size()];
    LimitCheck refused = null;
    boolean refusedForConcurrency = false;
    long retryAfter = 0;
    for (int i = 0; i < checks.size(); i++) {
      LimitCheck check = checks.get(i);
      KeyState state = states[i];
      if (check.rate() != null) {
        tokens[i] = state.refilled(check.rate(), now);
        if (tokens[i] < 1) {
          retryAfter = Math.max(retryAfter, new RateState(check.rate(), tokens[i]).millisUntilOne());
          if (refused == null) {
            refused = check;
          }
        }
      }
      if (check.limitsConcurrency() && state.inFlight >= check.maxConcurrent() && refused == null) {
        refused = check;
        refusedForConcurrency = true;
      }
    }
    if (refused != null) {
      return new Decision.Limited(refused, refusedForConcurrency, retryAfter, rates(checks, tokens));
    }
    List<KeyState> slots = null;
    for (int i = 0; i < checks.size(); i++) {
      LimitCheck check = checks.get(i);
      KeyState state = states[i];
      if (check.rate() != null) {
        tokens[i] -= 1;
        state.tokens = tokens[i];
        state.updatedNanos = now;
      }
      if (check.limitsConcurrency()) {
        state.inFlight++;
        if (slots == null) {
          slots = new ArrayList<>(2);
        }
        slots.add(state);
      }
    }
    return new Decision.Allowed(rates(checks, tokens), slots == null ? Lease.NONE : new SlotLease(slots));
  }

  private static List<RateState> rates(List<LimitCheck> checks, double[] tokens) {
    List<RateState> rates = new ArrayList<>();
    for (int i = 0; i < checks.size(); i++) {
      if (checks.get(i).rate() != null) {
        rates.add(new RateState(checks.get(i).rate(), tokens[i]));
      }
    }
    return rates;
  }

  private static final class SlotLease implements Lease {
    private final List<KeyState> slots;
    private final AtomicBoolean released = new AtomicBoolean();

    SlotLease(List<KeyState> slots) {
      this.slots = slots;
    }

    @Override
    public void release() {
      if (!released.compareAndSet(false, true)) {
        return;
      }
      for (KeyState state : slots) {
        state.lock.lock();
        try {
          state.inFlight = Math.max(0, state.inFlight - 1);
        } finally {
          state.lock.unlock();
        }
      }
    }
  }

  /** Requests in flight on one key; for tests. */
  int inFlight(String key) {
    KeyState state = states.get(key);
    return state == null ? 0 : state.inFlight;
  }

  @Override
  public String kind() {
    return "memory";
  }

  @Override
  public void close() {}
}
