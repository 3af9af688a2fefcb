package dev.tollgate.proc.limits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.config.RedisConfig;
import dev.tollgate.core.identity.CallerIdentity;
import dev.tollgate.core.policy.RequestLimitsPolicy;
import dev.tollgate.core.policy.RequestLimitsPolicy.LimitRule;
import dev.tollgate.core.policy.RequestLimitsPolicy.ModelRule;
import dev.tollgate.core.policy.RequestLimitsPolicy.Rate;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;

class RequestLimiterTest {
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final RequestLimiter limiter = new RequestLimiter(meters, new InMemoryLimitStore(), config -> {
    throw new AssertionError("no Redis in this test");
  });

  private static CallerIdentity caller(String consumer, String team) {
    return new CallerIdentity(consumer, team, List.of(), "", "api_key", "");
  }

  @Test
  void noLimitConfiguredMeansNoHeadersAndNoRefusal() {
    LimitOutcome outcome = limiter.acquire(RequestLimitsPolicy.NONE, caller("alice", ""), "gpt-4o");
    assertThat(outcome.allowed()).isTrue();
    assertThat(outcome.headers()).isEmpty();
  }

  @Test
  void overTheRateGives429WithOpenAiHeaders() {
    RequestLimitsPolicy policy = new RequestLimitsPolicy(
        Map.of("alice", new LimitRule(new Rate(60, 2), 0, List.of())), Map.of(), Map.of(), null);
    LimitOutcome first = limiter.acquire(policy, caller("alice", ""), "gpt-4o");
    assertThat(first.headers()).containsEntry("x-ratelimit-limit-requests", "60")
        .containsEntry("x-ratelimit-remaining-requests", "1");
    assertThat(limiter.acquire(policy, caller("alice", ""), "gpt-4o").allowed()).isTrue();
    LimitOutcome refused = limiter.acquire(policy, caller("alice", ""), "gpt-4o");
    assertThat(refused.allowed()).isFalse();
    assertThat(refused.refusal().status()).isEqualTo(429);
    assertThat(refused.refusal().code()).isEqualTo("rate_limit_exceeded");
    assertThat(refused.refusal().message()).contains("consumer 'alice'").contains("60 requests per minute");
    assertThat(refused.headers()).containsEntry("retry-after", "1")
        .containsEntry("x-ratelimit-remaining-requests", "0")
        .containsKey("x-ratelimit-reset-requests");
    assertThat(meters.counter("tollgate.limits.decisions", "store", "memory", "outcome", "limited",
        "scope", "consumer").count()).isEqualTo(1);
  }

  @Test
  void aTeamLimitIsSharedByItsConsumers() {
    RequestLimitsPolicy policy = new RequestLimitsPolicy(Map.of(),
        Map.of("red", new LimitRule(null, 1, List.of())), Map.of(), null);
    LimitOutcome alice = limiter.acquire(policy, caller("alice", "red"), "m");
    LimitOutcome bob = limiter.acquire(policy, caller("bob", "red"), "m");
    assertThat(alice.allowed()).isTrue();
    assertThat(bob.allowed()).isFalse();
    assertThat(bob.refusal().message()).contains("team 'red'").contains("1 in flight");
    assertThat(limiter.acquire(policy, caller("carol", "blue"), "m").allowed()).isTrue();
    alice.release();
    assertThat(limiter.acquire(policy, caller("bob", "red"), "m").allowed()).isTrue();
  }

  @Test
  void perModelLimitsAreIndependentPerModel() {
    RequestLimitsPolicy policy = new RequestLimitsPolicy(Map.of("alice", new LimitRule(null, 0,
        List.of(new ModelRule("gpt-4o*", new Rate(60, 1), 0)))), Map.of(), Map.of(), null);
    assertThat(limiter.acquire(policy, caller("alice", ""), "gpt-4o").allowed()).isTrue();
    assertThat(limiter.acquire(policy, caller("alice", ""), "gpt-4o").allowed()).isFalse();
    // Same entry, another model: a bucket of its own.
    assertThat(limiter.acquire(policy, caller("alice", ""), "gpt-4o-mini").allowed()).isTrue();
    // No entry matches: unlimited.
    assertThat(limiter.acquire(policy, caller("alice", ""), "other").headers()).isEmpty();
  }

  @Test
  void storeErrorsFollowOnError() {
    LimitStore broken = new LimitStore() {
      @Override
      public Decision decide(List<LimitCheck> checks, long leaseMillis) {
        return new Decision.Unavailable("timeout");
      }

      @Override
      public String kind() {
        return "redis";
      }

      @Override
      public void close() {}
    };
    RecordingLogger log = new RecordingLogger();
    RequestLimiter withRedis = new RequestLimiter(meters, new InMemoryLimitStore(), config -> broken, log);
    Map<String, LimitRule> rules = Map.of("alice", new LimitRule(new Rate(60, 1), 0, List.of()));
    RequestLimitsPolicy open = new RequestLimitsPolicy(rules, Map.of(), Map.of(),
        new RedisConfig("redis://127.0.0.1:1", 50, RedisConfig.FAIL_OPEN, "t:"));
    withRedis.prepare(open);
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (!withRedis.redisStoreBuilt() && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertThat(withRedis.acquire(open, caller("alice", ""), "m").allowed()).isTrue();
    assertThat(withRedis.acquire(open, caller("alice", ""), "m").allowed()).isTrue();
    RequestLimitsPolicy closed = new RequestLimitsPolicy(rules, Map.of(), Map.of(),
        new RedisConfig("redis://127.0.0.1:1", 50, RedisConfig.FAIL_CLOSED, "t:"));
    withRedis.prepare(closed);
    while (!withRedis.redisStoreBuilt() && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    LimitOutcome refused = withRedis.acquire(closed, caller("alice", ""), "m");
    assertThat(refused.allowed()).isFalse();
    assertThat(refused.refusal().status()).isEqualTo(503);
    assertThat(refused.headers()).containsEntry("retry-after", "1");
    assertThat(meters.counter("tollgate.limits.redis.errors", "reason", "timeout").count()).isEqualTo(3);
    // Three failures within the log interval: one warning, with the reason and without the server.
    assertThat(log.at(Level.WARN)).singleElement().asString()
        .contains("Redis did not answer (timeout)").doesNotContain("127.0.0.1");
  }

  @Test
  void aRedisSlotLeaseIsTheModelsTimeoutPlusTheMargin() {
    LimitPlan plan = new LimitPlan(new RequestLimitsPolicy(Map.of(), Map.of(), Map.of("gpt-4o", 20_000L), null));
    assertThat(plan.leaseMillis("gpt-4o")).isEqualTo(20_000 + LimitPlan.LEASE_MARGIN_MS).isEqualTo(25_000);
    assertThat(plan.leaseMillis("not-in-the-policy")).isEqualTo(LimitPlan.DEFAULT_LEASE_MS).isEqualTo(305_000);
  }
}
