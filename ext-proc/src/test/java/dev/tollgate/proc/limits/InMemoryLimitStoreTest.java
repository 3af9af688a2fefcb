package dev.tollgate.proc.limits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.policy.RequestLimitsPolicy.Rate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class InMemoryLimitStoreTest {
  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
  private final InMemoryLimitStore store = new InMemoryLimitStore(nanos::get);

  private static LimitCheck rate(String key, int perMinute, int burst) {
    return new LimitCheck(key, "consumer", key, null, new Rate(perMinute, burst), 0);
  }

  private static LimitCheck slots(String key, int max) {
    return new LimitCheck(key, "consumer", key, null, null, max);
  }

  @Test
  void burstPassesThenTheBucketRefillsAtTheRate() {
    List<LimitCheck> checks = List.of(rate("c/a", 60, 3));
    for (int i = 0; i < 3; i++) {
      assertThat(store.decide(checks, 1000)).isInstanceOf(Decision.Allowed.class);
    }
    Decision refused = store.decide(checks, 1000);
    assertThat(refused).isInstanceOf(Decision.Limited.class);
    // 60 per minute: one token per second.
    assertThat(((Decision.Limited) refused).retryAfterMillis()).isEqualTo(1000);
    nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(999));
    assertThat(store.decide(checks, 1000)).isInstanceOf(Decision.Limited.class);
    nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(1));
    Decision.Allowed allowed = (Decision.Allowed) store.decide(checks, 1000);
    assertThat(allowed.rates().get(0).remaining()).isZero();
    assertThat(allowed.rates().get(0).resetMillis()).isEqualTo(3000);
  }

  @Test
  void aRefusedDecisionTakesNothingFromTheOtherLimits() {
    LimitCheck wide = rate("c/a", 60, 10);
    LimitCheck narrow = rate("c/a/m", 60, 1);
    assertThat(store.decide(List.of(wide, narrow), 1000)).isInstanceOf(Decision.Allowed.class);
    Decision.Limited limited = (Decision.Limited) store.decide(List.of(wide, narrow), 1000);
    assertThat(limited.refusedBy()).isEqualTo(narrow);
    assertThat(limited.rates().get(0).remaining()).isEqualTo(9);
    // The wide bucket still holds 9: nine more requests on another model pass.
    for (int i = 0; i < 9; i++) {
      assertThat(store.decide(List.of(wide), 1000)).isInstanceOf(Decision.Allowed.class);
    }
    assertThat(store.decide(List.of(wide), 1000)).isInstanceOf(Decision.Limited.class);
  }

  @Test
  void concurrencySlotsComeBackOnRelease() {
    List<LimitCheck> checks = List.of(slots("c/a", 2));
    Decision.Allowed first = (Decision.Allowed) store.decide(checks, 1000);
    Decision.Allowed second = (Decision.Allowed) store.decide(checks, 1000);
    Decision.Limited third = (Decision.Limited) store.decide(checks, 1000);
    assertThat(third.concurrency()).isTrue();
    first.lease().release();
    first.lease().release(); // twice is harmless
    assertThat(store.inFlight("c/a")).isEqualTo(1);
    assertThat(store.decide(checks, 1000)).isInstanceOf(Decision.Allowed.class);
    second.lease().release();
    assertThat(store.inFlight("c/a")).isEqualTo(1);
  }

  @Test
  void underContentionExactlyTheCapIsAdmitted() throws Exception {
    List<LimitCheck> checks = List.of(slots("t/x", 5), rate("c/a", 1000, 1000));
    ExecutorService pool = Executors.newFixedThreadPool(8);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<Decision>> results = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      results.add(pool.submit(() -> {
        start.await();
        return store.decide(checks, 1000);
      }));
    }
    start.countDown();
    int allowed = 0;
    for (Future<Decision> result : results) {
      if (result.get() instanceof Decision.Allowed) {
        allowed++;
      }
    }
    pool.shutdown();
    assertThat(allowed).isEqualTo(5);
    assertThat(store.inFlight("t/x")).isEqualTo(5);
  }
}
