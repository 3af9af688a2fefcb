package dev.tollgate.proc.budget;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reservations, clamping, settlement, lease expiry and both window kinds, on a clock the test moves. */
class InMemoryBudgetStoreTest {
  private static final long T0 = Instant.parse("2026-03-31T23:59:30Z").toEpochMilli();

  private static BudgetCheck tokens(long limit, BudgetWindow window, boolean rolling) {
    return new BudgetCheck("b", "consumer:alice", "b|consumer:alice|tokens", BudgetCheck.Unit.TOKENS, limit, window,
        rolling, null);
  }

  private static Demand ask(long prompt, long perChoice, boolean clampable) {
    return new Demand(prompt, 0, perChoice, 1, 0, clampable);
  }

  @Test
  void aReservationHoldsItsWorstCaseUntilSettledThenOnlyTheActualSpendCounts() {
    InMemoryBudgetStore store = new InMemoryBudgetStore();
    List<BudgetCheck> checks = List.of(tokens(100, BudgetWindow.DAY, false));
    assertThat(store.reserve(checks, ask(10, 50, false), "a", 60_000, T0)).isInstanceOf(BudgetStore.Reserved.class);
    // 60 held: another 10 + 50 does not fit while the first is in flight.
    BudgetStore.Result second = store.reserve(checks, ask(10, 50, false), "b", 60_000, T0);
    assertThat(second).isEqualTo(new BudgetStore.Exceeded(0, new BudgetStore.Standing(0, 60),
        Instant.parse("2026-04-01T00:00:00Z").toEpochMilli()));
    assertThat(store.settle(checks, "a", new long[] {15}, T0)).containsExactly(new BudgetStore.Standing(15, 0));
    assertThat(store.reserve(checks, ask(10, 50, false), "b", 60_000, T0)).isInstanceOf(BudgetStore.Reserved.class);
  }

  @Test
  void withoutMaxTokensTheCapIsClampedToWhatIsLeftAndAtLeastOneTokenMustFit() {
    InMemoryBudgetStore store = new InMemoryBudgetStore();
    List<BudgetCheck> checks = List.of(tokens(100, BudgetWindow.DAY, false), new BudgetCheck("m", "consumer:alice",
        "m|consumer:alice|tokens", BudgetCheck.Unit.TOKENS, 1000, BudgetWindow.MONTH, false, null));
    BudgetStore.Result clamped = store.reserve(checks, ask(30, 4096, true), "a", 60_000, T0);
    assertThat(((BudgetStore.Reserved) clamped).perChoice()).isEqualTo(70);
    assertThat(store.reserve(checks, ask(1, 4096, true), "b", 60_000, T0)).isInstanceOf(BudgetStore.Exceeded.class);
  }

  @Test
  void aLeaseExpiresWhenItsGatewayNeverSettles() {
    InMemoryBudgetStore store = new InMemoryBudgetStore();
    List<BudgetCheck> checks = List.of(tokens(100, BudgetWindow.DAY, false));
    store.reserve(checks, ask(10, 90, false), "lost", 10_000, T0);
    assertThat(store.reserve(checks, ask(10, 90, false), "b", 10_000, T0 + 9_999)).isInstanceOf(BudgetStore.Exceeded.class);
    assertThat(store.reserve(checks, ask(10, 90, false), "b", 10_000, T0 + 10_000)).isInstanceOf(BudgetStore.Reserved.class);
  }

  @Test
  void aCalendarMonthStartsAfreshOnTheFirstUtc() {
    InMemoryBudgetStore store = new InMemoryBudgetStore();
    List<BudgetCheck> checks = List.of(tokens(100, BudgetWindow.MONTH, false));
    store.reserve(checks, ask(10, 0, false), "a", 60_000, T0);
    store.settle(checks, "a", new long[] {100}, T0);
    assertThat(store.reserve(checks, ask(1, 0, false), "b", 60_000, T0)).isInstanceOf(BudgetStore.Exceeded.class);
    // 31 March 23:59:30 + 30 s is 1 April.
    assertThat(store.reserve(checks, ask(1, 0, false), "b", 60_000, T0 + 30_000)).isInstanceOf(BudgetStore.Reserved.class);
  }

  @Test
  void aRollingWindowCountsThePreviousBucketByHowMuchOfItIsStillInside() {
    InMemoryBudgetStore store = new InMemoryBudgetStore();
    List<BudgetCheck> checks = List.of(tokens(100, BudgetWindow.MINUTE, true));
    long bucket = Math.floorDiv(T0, 60_000) * 60_000;
    store.reserve(checks, ask(0, 0, false), "a", 60_000, bucket);
    store.settle(checks, "a", new long[] {80}, bucket);
    // A quarter into the next bucket, three quarters of the 80 still count: 60, so 40 fit, 41 do not.
    long quarter = bucket + 60_000 + 15_000;
    assertThat(store.reserve(checks, ask(41, 0, false), "b", 60_000, quarter)).isInstanceOf(BudgetStore.Exceeded.class);
    assertThat(store.reserve(checks, ask(40, 0, false), "b", 60_000, quarter)).isInstanceOf(BudgetStore.Reserved.class);
  }

  @Test
  void moneyFitsAreExactAtTheNanoUsd() {
    // 2 nano-USD per completion token (2e6 per million), prompt 10 nano-USD, 30 nano-USD budget: 10 tokens fit.
    Demand demand = new Demand(5, 10, 4096, 1, 2_000_000, true);
    assertThat(demand.perChoiceFitting(BudgetCheck.Unit.NANO_USD, 30)).isEqualTo(10);
    assertThat(demand.amount(BudgetCheck.Unit.NANO_USD, 10)).isEqualTo(30);
    assertThat(demand.perChoiceFitting(BudgetCheck.Unit.NANO_USD, 9)).isEqualTo(-1);
    // Two choices share the room.
    assertThat(new Demand(5, 10, 4096, 2, 2_000_000, true).perChoiceFitting(BudgetCheck.Unit.NANO_USD, 30)).isEqualTo(5);
  }
}
