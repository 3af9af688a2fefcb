package dev.tollgate.proc.limits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.config.RedisConfig;
import dev.tollgate.proc.RedisTestServer;
import dev.tollgate.core.policy.RequestLimitsPolicy.Rate;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * decide.lua through {@link RedisLink} against a real redis-server (Debian package, started here on
 * a free loopback port): a burst is enforced, a concurrency slot is held until its lease is
 * released, and one never released frees itself when the lease expires.
 */
class RedisLimitStoreTest {
  private static RedisTestServer redis;
  private static RedisConfig config;
  private static RedisLimitStore store;
  private static int keys;

  @BeforeAll
  static void start() throws Exception {
    redis = RedisTestServer.start("tollgate-limits-redis-");
    int port = redis.port();
    config = new RedisConfig("redis://127.0.0.1:" + port, 1000, RedisConfig.FAIL_CLOSED, "tollgate-test:");
    store = new RedisLimitStore(config);
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (store.decide(List.of(check(null, 0)), 1000) instanceof Decision.Unavailable) {
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

  /** Each test its own key, so they share one server without sharing counters. */
  private static LimitCheck check(Rate rate, int maxConcurrent) {
    return new LimitCheck("c/alice" + (keys++), "consumer", "alice", null, rate, maxConcurrent);
  }

  @Test
  void refusesOnceTheBurstIsSpent() {
    LimitCheck check = check(new Rate(1, 2), 0);
    assertThat(store.decide(List.of(check), 60_000)).isInstanceOf(Decision.Allowed.class);
    assertThat(store.decide(List.of(check), 60_000)).isInstanceOf(Decision.Allowed.class);
    Decision third = store.decide(List.of(check), 60_000);
    assertThat(third).isInstanceOf(Decision.Limited.class);
    assertThat(((Decision.Limited) third).concurrency()).isFalse();
    assertThat(((Decision.Limited) third).retryAfterMillis()).isPositive();
  }

  @Test
  void holdsASlotUntilItsLeaseIsReleased() throws InterruptedException {
    LimitCheck check = check(null, 1);
    Decision first = store.decide(List.of(check), 60_000);
    assertThat(first).isInstanceOf(Decision.Allowed.class);
    Decision second = store.decide(List.of(check), 60_000);
    assertThat(second).isInstanceOf(Decision.Limited.class);
    assertThat(((Decision.Limited) second).concurrency()).isTrue();

    ((Decision.Allowed) first).lease().release();
    long deadline = System.nanoTime() + 5_000_000_000L;
    Decision again = store.decide(List.of(check), 60_000);
    // The release is fire-and-forget: wait for Redis to have applied it.
    while (!(again instanceof Decision.Allowed) && System.nanoTime() < deadline) {
      Thread.sleep(20);
      again = store.decide(List.of(check), 60_000);
    }
    assertThat(again).isInstanceOf(Decision.Allowed.class);
  }

  @Test
  void aSlotNeverReleasedIsFreeAgainOnceItsLeaseExpires() throws InterruptedException {
    // As if the gateway holding it died: the short lease is never released. In production a lease
    // is the model's timeout_ms plus LimitPlan.LEASE_MARGIN_MS; here 400 ms, to see it run out.
    // A second slot with a long lease keeps the slot set itself alive, so what frees the first is
    // its own expiry, not the key's.
    long shortLease = 400;
    LimitCheck check = check(null, 2);
    long taken = System.nanoTime();
    assertThat(store.decide(List.of(check), shortLease)).isInstanceOf(Decision.Allowed.class);
    assertThat(store.decide(List.of(check), 60_000)).isInstanceOf(Decision.Allowed.class);
    Decision full = store.decide(List.of(check), 60_000);
    assertThat(full).isInstanceOf(Decision.Limited.class);
    assertThat(((Decision.Limited) full).concurrency()).isTrue();

    long deadline = taken + 5_000_000_000L;
    Decision again = full;
    while (!(again instanceof Decision.Allowed) && System.nanoTime() < deadline) {
      Thread.sleep(20);
      again = store.decide(List.of(check), 60_000);
    }
    long freedAfterMs = (System.nanoTime() - taken) / 1_000_000;
    assertThat(again).isInstanceOf(Decision.Allowed.class);
    // Not before the lease ran out (Redis's clock; a little slack for the two clocks' ticks).
    assertThat(freedAfterMs).isGreaterThanOrEqualTo(shortLease - 20);
    // Only the expired lease went: the long one and the new one fill the cap again.
    assertThat(store.decide(List.of(check), 60_000)).isInstanceOf(Decision.Limited.class);
  }

  @Test
  void linksWithTheSameSettingsShareOneClientUntilTheLastCloses() {
    String script = "return {1}";
    RedisLink a = new RedisLink(config);
    RedisLink b = new RedisLink(config);
    RedisLink other = new RedisLink(new RedisConfig(config.url(), config.timeoutMs(), config.onError(), "other:"));
    try {
      assertThat(a.sharesClientWith(b)).isTrue();
      assertThat(a.sharesClientWith(other)).isFalse();
      a.close();
      a.close(); // a second close must not take the others' client away
      assertThat(b.eval(script, RedisLink.sha1Hex(script), new String[0], new String[0]))
          .isInstanceOf(RedisLink.Answered.class);
      b.close();
      assertThat(store.decide(List.of(check(null, 0)), 1000)).isInstanceOf(Decision.Allowed.class);
    } finally {
      other.close();
    }
  }
}
