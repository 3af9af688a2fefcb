package dev.tollgate.proc.usage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.usage.UsageRecord;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class UsageQueueTest {
  private static UsageRecord record(int i) {
    return new UsageRecord("req_" + i, 1_000L + i, "alice", null, "gpt-4o", "primary", "/v1/chat/completions", 200,
        1, 1, 0, 0, 0, 1, false);
  }

  private static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("condition within 10 s").isLessThan(deadline);
      Thread.sleep(10);
    }
  }

  @Test
  void aFailedBatchIsKeptAndSentAgainUntilItLands() throws Exception {
    List<List<UsageRecord>> attempts = new ArrayList<>();
    AtomicInteger failuresLeft = new AtomicInteger(2);
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    UsageQueue queue = new UsageQueue(batch -> {
      synchronized (attempts) {
        attempts.add(List.copyOf(batch));
      }
      if (failuresLeft.getAndDecrement() > 0) {
        throw new IllegalStateException("control plane away");
      }
    }, 100, meters).start();
    try {
      for (int i = 0; i < 3; i++) {
        queue.accept(record(i));
      }
      await(() -> queue.pending() == 0);
      synchronized (attempts) {
        assertThat(attempts).hasSizeGreaterThanOrEqualTo(3);
        // The first batch was sent three times, whole, until it landed.
        assertThat(attempts.get(1)).isEqualTo(attempts.get(0));
        assertThat(attempts.get(2)).isEqualTo(attempts.get(0));
        assertThat(attempts.stream().flatMap(List::stream).map(UsageRecord::requestId).distinct())
            .containsExactlyInAnyOrder("req_0", "req_1", "req_2");
      }
      assertThat(meters.counter("tollgate.usage.delivery.failures").count()).isEqualTo(2);
      assertThat(meters.counter("tollgate.usage.records.delivered").count()).isEqualTo(3);
    } finally {
      queue.close();
    }
  }

  @Test
  void aFullQueueDropsAndCountsInsteadOfBlocking() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    CountDownLatch delivering = new CountDownLatch(1);
    UsageQueue queue = new UsageQueue(batch -> {
      delivering.countDown();
      release.await();
    }, 5, meters).start();
    try {
      queue.accept(record(0));
      assertThat(delivering.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(meters.get("tollgate.usage.records.queued").gauge().value()).isEqualTo(1);
      // One batch in flight (blocked), five queued; the rest are dropped at once.
      for (int i = 1; i <= 10; i++) {
        queue.accept(record(i));
      }
      assertThat(queue.pending()).isEqualTo(6);
      assertThat(meters.counter("tollgate.usage.records.dropped").count()).isEqualTo(5);
    } finally {
      release.countDown();
      queue.close(Duration.ofSeconds(2));
    }
  }
}
