package dev.tollgate.proc.budget;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.config.RedisConfig;
import dev.tollgate.proc.RedisTestServer;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Lua scripts against a real redis-server (Debian package, started here on a free loopback
 * port): the same answers as the in-memory store for the same moves, and leases that expire.
 * Times are the test's own clock, passed in, as the enforcer passes its clock.
 */
class RedisBudgetStoreTest {
  private static final long T0 = Instant.parse("2026-03-31T23:59:30Z").toEpochMilli();
  private static RedisTestServer redis;
  private static RedisBudgetStore store;
  private static int keys;

  @BeforeAll
  static void start() throws Exception {
    redis = RedisTestServer.start("tollgate-budget-redis-");
    int port = redis.port();
    store = new RedisBudgetStore(new RedisConfig("redis://127.0.0.1:" + port, 1000, RedisConfig.FAIL_CLOSED,
        "tollgate-test:"));
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (store.reserve(List.of(tokens(1, BudgetWindow.DAY, false)), ask(0, 0, false), "probe", 1000, T0)
        instanceof BudgetStore.Unavailable) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("redis-server on port " + port + " did not answer");
      }
      Thread.sleep(100);
    }
  }

  @AfterAll
  static void stop() throws IOException {
    if (store != null) {
      store.close();
    }
    if (redis != null) {
      redis.close();
    }
  }

  /** Each test its own budget key, so they share one server without sharing counters. */
  private static BudgetCheck tokens(long limit, BudgetWindow window, boolean rolling) {
    String key = "b" + (keys++) + "|consumer:alice|tokens";
    return new BudgetCheck("b", "consumer:alice", key, BudgetCheck.Unit.TOKENS, limit, window, rolling, null);
  }

  private static Demand ask(long prompt, long perChoice, boolean clampable) {
    return new Demand(prompt, 0, perChoice, 1, 0, clampable);
  }

  /** A money budget in nano-USD, its own key as {@link #tokens}. */
  private static BudgetCheck usd(long limitNanos, BudgetWindow window, boolean rolling) {
    String key = "b" + (keys++) + "|consumer:alice|usd";
    return new BudgetCheck("b", "consumer:alice", key, BudgetCheck.Unit.NANO_USD, limitNanos, window, rolling, null);
  }

  /**
   * 1000 USD per million input tokens (1e6 nano-USD a token) and 2000 per million output (2e6 a
   * token), as the through-Envoy tests price gpt-4o.
   */
  private static final long INPUT_NANOS = 1_000_000;
  private static final long OUTPUT_NANOS_PER_MILLION = 2_000_000L * 1_000_000L;

  private static Demand spend(long promptTokens, long perChoice, int choices, boolean clampable) {
    return new Demand(promptTokens, promptTokens * INPUT_NANOS, perChoice, choices, OUTPUT_NANOS_PER_MILLION,
        clampable);
  }

  @Test
  void aReservationHoldsItsWorstCaseUntilSettledThenOnlyTheActualSpendCounts() {
    List<BudgetCheck> checks = List.of(tokens(100, BudgetWindow.DAY, false));
    assertThat(store.reserve(checks, ask(10, 50, false), "a", 60_000, T0)).isInstanceOf(BudgetStore.Reserved.class);
    assertThat(store.reserve(checks, ask(10, 50, false), "b", 60_000, T0)).isEqualTo(new BudgetStore.Exceeded(0,
        new BudgetStore.Standing(0, 60), Instant.parse("2026-04-01T00:00:00Z").toEpochMilli()));
    assertThat(store.settle(checks, "a", new long[] {15}, T0)).containsExactly(new BudgetStore.Standing(15, 0));
    assertThat(store.reserve(checks, ask(10, 50, false), "b", 60_000, T0)).isInstanceOf(BudgetStore.Reserved.class);
  }

  @Test
  void withoutMaxTokensTheCapIsClampedToWhatIsLeftInTheTightestBudget() {
    List<BudgetCheck> checks = List.of(tokens(1000, BudgetWindow.MONTH, false), tokens(100, BudgetWindow.DAY, false));
    BudgetStore.Result clamped = store.reserve(checks, ask(30, 4096, true), "a", 60_000, T0);
    assertThat(((BudgetStore.Reserved) clamped).perChoice()).isEqualTo(70);
    assertThat(((BudgetStore.Reserved) clamped).standings())
        .containsExactly(new BudgetStore.Standing(0, 100), new BudgetStore.Standing(0, 100));
    assertThat(store.reserve(checks, ask(1, 4096, true), "b", 60_000, T0)).isInstanceOf(BudgetStore.Exceeded.class);
  }

  @Test
  void aLeaseExpiresWhenItsGatewayNeverSettles() {
    List<BudgetCheck> checks = List.of(tokens(100, BudgetWindow.DAY, false));
    store.reserve(checks, ask(10, 90, false), "lost", 10_000, T0);
    assertThat(store.reserve(checks, ask(10, 90, false), "b", 10_000, T0 + 9_999)).isInstanceOf(BudgetStore.Exceeded.class);
    assertThat(store.reserve(checks, ask(10, 90, false), "b", 10_000, T0 + 10_000)).isInstanceOf(BudgetStore.Reserved.class);
  }

  @Test
  void aRollingWindowCountsThePreviousBucketByHowMuchOfItIsStillInside() {
    List<BudgetCheck> checks = List.of(tokens(100, BudgetWindow.MINUTE, true));
    long bucket = Math.floorDiv(T0, 60_000) * 60_000;
    store.reserve(checks, ask(0, 0, false), "a", 60_000, bucket);
    store.settle(checks, "a", new long[] {80}, bucket);
    long quarter = bucket + 60_000 + 15_000;
    assertThat(store.reserve(checks, ask(41, 0, false), "b", 60_000, quarter)).isInstanceOf(BudgetStore.Exceeded.class);
    assertThat(store.reserve(checks, ask(40, 0, false), "b", 60_000, quarter)).isInstanceOf(BudgetStore.Reserved.class);
  }

  @Test
  void aSettlementWithoutAReservationStillCharges() {
    // Fail-open requests went without a reservation; when Redis is back their spend is charged.
    List<BudgetCheck> checks = List.of(tokens(100, BudgetWindow.DAY, false));
    assertThat(store.settle(checks, "never-reserved", new long[] {30}, T0))
        .containsExactly(new BudgetStore.Standing(30, 0));
  }

  @Test
  void aMoneyReservationHoldsItsWorstCaseInNanoUsdAndSettlesTheActualCost() {
    // 0.05 USD; a request of 10 prompt tokens and up to 5 completion tokens holds 10e6 + 10e6.
    List<BudgetCheck> checks = List.of(usd(50_000_000, BudgetWindow.MONTH, false));
    InMemoryBudgetStore memory = new InMemoryBudgetStore();
    for (BudgetStore each : new BudgetStore[] {store, memory}) {
      assertThat(each.reserve(checks, spend(10, 5, 1, false), "a", 60_000, T0)).isEqualTo(new BudgetStore.Reserved(5,
          List.of(new BudgetStore.Standing(0, 20_000_000))));
      assertThat(each.reserve(checks, spend(10, 5, 1, false), "b", 60_000, T0)).isEqualTo(new BudgetStore.Reserved(5,
          List.of(new BudgetStore.Standing(0, 40_000_000))));
      // 40e6 held: a third worst case of 20e6 does not fit in the 10e6 left.
      assertThat(each.reserve(checks, spend(10, 5, 1, false), "c", 60_000, T0)).isEqualTo(new BudgetStore.Exceeded(0,
          new BudgetStore.Standing(0, 40_000_000), Instant.parse("2026-04-01T00:00:00Z").toEpochMilli()));
      // The first cost 10 prompt tokens and 3 completion tokens: 16e6 charged, its other 4e6 released.
      assertThat(each.settle(checks, "a", new long[] {16_000_000}, T0))
          .containsExactly(new BudgetStore.Standing(16_000_000, 20_000_000));
      assertThat(each.reserve(checks, spend(4, 5, 1, false), "c", 60_000, T0)).isEqualTo(new BudgetStore.Reserved(5,
          List.of(new BudgetStore.Standing(16_000_000, 34_000_000))));
    }
  }

  @Test
  void aMoneyClampIsOneTokenBelowTheExactQuotientInRedisAndNeverPastTheRoom() {
    // 0.05 USD; a 10-token prompt leaves 40e6 nano-USD: exactly 20 output tokens at 2e6 each.
    // Lua's doubles: the script grants one token less than the exact quotient (docs/BUDGETS.md).
    List<BudgetCheck> checks = List.of(usd(50_000_000, BudgetWindow.DAY, false), tokens(1000, BudgetWindow.DAY, false));
    assertThat(store.reserve(checks, spend(10, 4096, 1, true), "a", 60_000, T0)).isEqualTo(new BudgetStore.Reserved(19,
        List.of(new BudgetStore.Standing(0, 48_000_000), new BudgetStore.Standing(0, 29))));
    assertThat(new InMemoryBudgetStore().reserve(List.of(usd(50_000_000, BudgetWindow.DAY, false)),
        spend(10, 4096, 1, true), "a", 60_000, T0)).isEqualTo(new BudgetStore.Reserved(20,
        List.of(new BudgetStore.Standing(0, 50_000_000))));
    // Two choices share what is left: exactly 10 each, 9 in Redis.
    List<BudgetCheck> two = List.of(usd(50_000_000, BudgetWindow.DAY, false));
    assertThat(((BudgetStore.Reserved) store.reserve(two, spend(10, 4096, 2, true), "b", 60_000, T0)).perChoice())
        .isEqualTo(9);
    // 2e6 left after the prompt is exactly one token; Redis keeps its one token of margin and refuses.
    List<BudgetCheck> tight = List.of(usd(12_000_000, BudgetWindow.DAY, false));
    assertThat(store.reserve(tight, spend(10, 4096, 1, true), "c", 60_000, T0)).isInstanceOf(BudgetStore.Exceeded.class);
    // A price that does not divide evenly: 1.5 USD per million output tokens is 1500 nano-USD a
    // token; 10,000 nano-USD left fits 6 (9,000), Redis grants 5 (7,500).
    List<BudgetCheck> odd = List.of(usd(10_000, BudgetWindow.DAY, false));
    BudgetStore.Result reserved = store.reserve(odd, new Demand(0, 0, 4096, 1, 1_500_000_000L, true), "d", 60_000, T0);
    assertThat(reserved).isEqualTo(new BudgetStore.Reserved(5, List.of(new BudgetStore.Standing(0, 7_500))));
  }

  @Test
  void largeMoneyAmountsStayExactIntegersInRedis() {
    // 4e15 + 1 nano-USD (4 million USD) is below 2^53: Lua keeps it exact and the script writes
    // it as digits, not 4e+15.
    long big = 4_000_000_000_000_001L;
    List<BudgetCheck> checks = List.of(usd(9_000_000_000_000_000L, BudgetWindow.MONTH, false));
    Demand demand = new Demand(1, big, 0, 1, OUTPUT_NANOS_PER_MILLION, false);
    assertThat(store.reserve(checks, demand, "a", 60_000, T0)).isEqualTo(new BudgetStore.Reserved(0,
        List.of(new BudgetStore.Standing(0, big))));
    assertThat(store.settle(checks, "a", new long[] {big - 2}, T0))
        .containsExactly(new BudgetStore.Standing(big - 2, 0));
  }

  @Test
  void aRollingMoneyWindowAgesThePreviousBucketOutAsTheInMemoryStoreDoes() {
    BudgetCheck check = usd(100_000_000, BudgetWindow.HOUR, true);
    List<BudgetCheck> checks = List.of(check);
    InMemoryBudgetStore memory = new InMemoryBudgetStore();
    long bucket = Math.floorDiv(T0, 3_600_000L) * 3_600_000L;
    for (BudgetStore each : new BudgetStore[] {store, memory}) {
      // 61e6 spent in one bucket; a third into the next, two thirds of it still count: the weight
      // is 666,666 ppm (floored), the share 61e6 x 0.666666 = 40,666,626 (rounded up: exact here).
      each.settle(checks, "spent", new long[] {61_000_000}, bucket + 10_000);
      long third = bucket + 3_600_000L + 1_200_000L;
      BudgetStore.Result fits = each.reserve(checks, spend(59, 0, 1, false), "a", 60_000, third);
      assertThat(fits).isEqualTo(new BudgetStore.Reserved(0,
          List.of(new BudgetStore.Standing(40_666_626, 59_000_000))));
      assertThat(each.reserve(checks, spend(1, 0, 1, false), "b", 60_000, third)).isEqualTo(new BudgetStore.Exceeded(0,
          new BudgetStore.Standing(40_666_626, 59_000_000), bucket + 2 * 3_600_000L));
      each.settle(checks, "a", new long[] {0}, third);
      // Two buckets later nothing of it counts.
      assertThat(each.reserve(checks, spend(100, 0, 1, false), "c", 60_000, bucket + 2 * 3_600_000L))
          .isEqualTo(new BudgetStore.Reserved(0, List.of(new BudgetStore.Standing(0, 100_000_000))));
    }
  }
}
