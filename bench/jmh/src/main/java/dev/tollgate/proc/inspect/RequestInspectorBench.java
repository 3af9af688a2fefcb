package dev.tollgate.proc.inspect;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.core.config.ConfigLoader;
import dev.tollgate.core.identity.CallerIdentity;
import dev.tollgate.core.policy.PolicySnapshot;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The whole request side of inspection for one 4 KB chat prompt, as the router stage runs it:
 * policy selection, text extraction, the prompt's token count (o200k), the guard (rules and
 * classifier) and PII redaction written back into the tree. {@code policy=none} is the cost of a
 * request no policy matches. The tree is copied before each call (redaction changes it); the
 * copy is not measured.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class RequestInspectorBench {
  private static final String FILLER = "Summarise the quarterly figures for the board in three short bullet points. ";

  @Param({"guard-pii", "none"})
  public String policy;

  private RequestInspector inspector;
  private PolicySnapshot snapshot;
  private ObjectNode template;
  private ObjectNode body;
  private final CallerIdentity caller = new CallerIdentity("bench", "", List.of(), "", "api_key", "");

  @Setup
  public void setUp() throws Exception {
    String policies = policy.equals("none") ? "" : """
        policies:
          - name: bench
            prompt_guard: { action: flag }
            pii: {}
        """;
    var config = new ConfigLoader(name -> null).parse("""
        backends: [ { name: b, kind: openai-compatible, endpoints: [ { host: 127.0.0.1, port: 8000 } ] } ]
        models: [ { name: gpt-4o, targets: [ { backend: b } ] } ]
        """ + policies, "bench.yaml").config();
    snapshot = PolicySnapshot.from(config, "v1");
    inspector = new RequestInspector(GatewayMetrics.inMemory(), AuditLog.toLogger());
    StringBuilder text = new StringBuilder("Send the summary to finance.team@example.com afterwards. ");
    while (text.length() < 4000) {
      text.append(FILLER);
    }
    text.setLength(4000);
    template = (ObjectNode) new ObjectMapper().readTree(new ObjectMapper().writeValueAsString(java.util.Map.of(
        "model", "gpt-4o", "messages", List.of(
            java.util.Map.of("role", "system", "content", "You are terse."),
            java.util.Map.of("role", "user", "content", text.toString())))));
    inspector.inspect(request()); // compiles the policy once, as the precompiler would
  }

  @Setup(Level.Invocation)
  public void copy() {
    body = template.deepCopy();
  }

  private RequestInspector.Request request() {
    return new RequestInspector.Request("req_bench", "/v1/chat/completions", snapshot, caller, "gpt-4o", false,
        body == null ? template.deepCopy() : body, System.nanoTime(), Instant.EPOCH);
  }

  @Benchmark
  public RequestInspector.Outcome inspect4kChat() {
    return inspector.inspect(request());
  }
}
