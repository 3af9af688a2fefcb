package dev.tollgate.authz;

import dev.tollgate.core.policy.PolicySnapshot;
import dev.tollgate.jmh.Fixtures;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The API key check against a policy of {@value Fixtures#CONSUMERS} consumers: SHA-256 of the
 * presented key, hex, map lookup, constant-time compare. A valid key and an unknown one (the
 * cost an attacker guessing keys imposes).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ApiKeyVerifierBench {
  private final ApiKeyVerifier verifier = new ApiKeyVerifier();
  private PolicySnapshot policy;
  private Map<String, String> validHeaders;
  private Map<String, String> unknownHeaders;

  @Setup
  public void setup() {
    policy = Fixtures.policyWithConsumers(Fixtures.CONSUMERS);
    validHeaders = headers("Bearer " + Fixtures.apiKey(Fixtures.PRESENTED_CONSUMER));
    unknownHeaders = headers("Bearer tg-bench-key-9999-0123456789abcdef");
    if (!(verifier.verify(validHeaders, policy) instanceof Verdict.Accepted)
        || !(verifier.verify(unknownHeaders, policy) instanceof Verdict.Rejected)) {
      throw new IllegalStateException("fixture keys must be accepted / rejected");
    }
  }

  /** Envoy's header map for a chat completion, names lower-cased. */
  private static Map<String, String> headers(String authorization) {
    Map<String, String> headers = Fixtures.chatRequestHeaders(4096);
    headers.put("authorization", authorization);
    return headers;
  }

  @Benchmark
  public Verdict validKey() {
    return verifier.verify(validHeaders, policy);
  }

  @Benchmark
  public Verdict unknownKey() {
    return verifier.verify(unknownHeaders, policy);
  }
}
