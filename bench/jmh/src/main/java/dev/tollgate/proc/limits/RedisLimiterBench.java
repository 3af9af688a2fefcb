package dev.tollgate.proc.limits;

import dev.tollgate.core.config.RedisConfig;
import dev.tollgate.core.identity.CallerIdentity;
import dev.tollgate.core.policy.RequestLimitsPolicy;
import dev.tollgate.core.policy.RequestLimitsPolicy.LimitRule;
import dev.tollgate.core.policy.RequestLimitsPolicy.ModelRule;
import dev.tollgate.core.policy.RequestLimitsPolicy.Rate;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The same decision as {@link RequestLimiterBench}, counted in Redis: one EVALSHA round trip plus
 * the release's ZREM. Needs a running server:
 * {@code bench/jmh/run.sh RedisLimiterBench -jvmArgsAppend -Dtollgate.bench.redis=redis://127.0.0.1:6379}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class RedisLimiterBench {
  private RequestLimiter limiter;
  private RequestLimitsPolicy policy;
  private CallerIdentity caller;

  @Setup
  public void setup() throws InterruptedException {
    String url = System.getProperty("tollgate.bench.redis");
    if (url == null) {
      throw new IllegalStateException("needs -jvmArgsAppend -Dtollgate.bench.redis=redis://HOST:PORT");
    }
    limiter = new RequestLimiter(new SimpleMeterRegistry());
    Rate huge = new Rate(1_000_000, 1_000_000);
    policy = new RequestLimitsPolicy(
        Map.of("bench", new LimitRule(huge, 10_000, List.of(new ModelRule("gpt-4o*", huge, 0)))),
        Map.of("red", new LimitRule(null, 10_000, List.of())), Map.of(),
        new RedisConfig(url, 1000, RedisConfig.FAIL_CLOSED, "tollgate-bench:"));
    caller = new CallerIdentity("bench", "red", List.of(), "", "api_key", "");
    limiter.prepare(policy);
    for (int i = 0; i < 100; i++) {
      LimitOutcome outcome = limiter.acquire(policy, caller, "gpt-4o-mini");
      outcome.release();
      if (outcome.allowed() && !outcome.headers().isEmpty()) {
        return;
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("Redis at " + url + " did not answer within 10 s");
  }

  @TearDown
  public void close() {
    limiter.close();
  }

  @Benchmark
  public LimitOutcome decideAndRelease() {
    LimitOutcome outcome = limiter.acquire(policy, caller, "gpt-4o-mini");
    if (!outcome.allowed()) {
      throw new IllegalStateException("refused: " + outcome.refusal().message());
    }
    outcome.release();
    return outcome;
  }
}
