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
}
