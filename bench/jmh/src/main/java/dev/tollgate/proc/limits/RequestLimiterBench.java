package dev.tollgate.proc.limits;

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
import org.openjdk.jmh.annotations.Threads;

/**
 * One in-process limit decision and its release, as the router stage makes it: the consumer's
 * rate and concurrency limit, its team's concurrency limit and a per-model rate (three keys, all
 * locked together). Limits high enough never to refuse. {@code contended} runs two threads on the
 * same keys, the worst case for the per-key locks.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class RequestLimiterBench {
  private RequestLimiter limiter;
  private RequestLimitsPolicy policy;
  private CallerIdentity caller;

  @Setup
  public void setup() {
    limiter = new RequestLimiter(new SimpleMeterRegistry());
    Rate huge = new Rate(1_000_000, 1_000_000);
    policy = new RequestLimitsPolicy(
        Map.of("bench", new LimitRule(huge, 10_000, List.of(new ModelRule("gpt-4o*", huge, 0)))),
        Map.of("red", new LimitRule(null, 10_000, List.of())), Map.of(), null);
    caller = new CallerIdentity("bench", "red", List.of(), "", "api_key", "");
    LimitOutcome outcome = limiter.acquire(policy, caller, "gpt-4o-mini");
    if (!outcome.allowed() || outcome.headers().isEmpty()) {
      throw new IllegalStateException("the fixture's limits must apply and allow");
    }
    outcome.release();
  }

  @TearDown
  public void close() {
    limiter.close();
  }

  @Benchmark
  public LimitOutcome decideAndRelease() {
    LimitOutcome outcome = limiter.acquire(policy, caller, "gpt-4o-mini");
    outcome.release();
    return outcome;
  }

  @Benchmark
  @Threads(2)
  public LimitOutcome contended() {
    return decideAndRelease();
  }
}
