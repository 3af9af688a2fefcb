package dev.tollgate.proc.budget;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.core.config.ConfigLoader;
import dev.tollgate.core.identity.CallerIdentity;
import dev.tollgate.core.policy.PolicySnapshot;
import dev.tollgate.jmh.Fixtures;
import dev.tollgate.jmh.LocalRedis;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One request's budget work, as the router stage does it: reserve (worst case in a token and a
 * rolling money budget, the default cap written into the body) and settle without a response
 * summary (the counted prompt charged). {@code budgets=none}: the same call when no budget counts
 * the request (only the cost bookkeeping); {@code memory}: counted in process; {@code redis}:
 * counted in a real redis-server on loopback ({@link LocalRedis}: started by the bench, or
 * {@code -jvmArgsAppend -Dtollgate.bench.redis=redis://HOST:PORT}), so an op adds the reserve and
 * the settle script's round trips. {@code prompt=counted}: no inspection policy counted the 4 KB
 * prompt, so the budget counts it with the tokenizer; {@code given}: the inspector's count is
 * reused. Each invocation works on a fresh copy of the parsed body (included).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class BudgetEnforcerBench {
  @Param({"none", "memory", "redis"})
  public String budgets;

  @Param({"given", "counted"})
  public String prompt;

  private BudgetEnforcer enforcer;
  private PolicySnapshot policy;
  private CallerIdentity caller;
  private ObjectNode body;
  private LocalRedis redis;

  @Setup
  public void setup() throws Exception {
    String yaml = """
        backends: [ { name: p, kind: openai, credential: "env:KEY", endpoints: [ { host: 127.0.0.1, port: 1 } ] } ]
        models: [ { name: %s, targets: [ { backend: p, model: %s } ] } ]
        consumers: [ { name: bench, api_keys: [ "sha256:%s" ], models: [ "*" ] } ]
        """.formatted(Fixtures.MODEL, Fixtures.UPSTREAM_MODEL, "ab".repeat(32))
        + (budgets.equals("none") ? "" : """
        budgets:
          limits:
            - { name: bench-tokens, consumer: bench, window: day, tokens: 1000000000000 }
            - { name: bench-usd, consumer: bench, window: month, rolling: true, usd: 1000000 }
        """);
    if (budgets.equals("redis")) {
      redis = LocalRedis.start();
      // fail_closed: a request that Redis did not count is refused, so the warm-up below only
      // ends once every decision goes through Redis.
      yaml += "redis: { url: \"" + redis.url() + "\", timeout_ms: 1000, on_error: fail_closed }\n";
    }
    policy = PolicySnapshot.from(new ConfigLoader(Map.of("KEY", "sk-bench")::get).parse(yaml, "bench.yaml").config(),
        "bench");
    enforcer = new BudgetEnforcer(new SimpleMeterRegistry());
    caller = new CallerIdentity("bench", "", List.of(), "", "api_key", "");
    body = (ObjectNode) new ObjectMapper().readTree(Fixtures.CHAT_4K);
    dev.tollgate.inspect.tokens.TokenCounter.shared().warmUp();
    enforcer.prepare(policy.budgets());
    for (int i = 0; reserveAndSettle() == null; i++) {
      if (i == 100) {
        throw new IllegalStateException("the bench request must be allowed (Redis not answering within 10 s?)");
      }
      Thread.sleep(100); // Redis connects in the background
    }
  }

  @TearDown
  public void close() {
    enforcer.close();
    if (redis != null) {
      redis.close();
    }
  }

  @Benchmark
  public Settlement reserveAndSettle() {
    BudgetEnforcer.Decision decision = enforcer.reserve(new BudgetEnforcer.Request(policy, caller,
        "/v1/chat/completions", Fixtures.MODEL, body.deepCopy(), prompt.equals("given") ? 1000 : null));
    if (!(decision instanceof BudgetEnforcer.Proceed proceed)) {
      return null;
    }
    proceed.reservation().end();
    return proceed.reservation().settlement();
  }
}
