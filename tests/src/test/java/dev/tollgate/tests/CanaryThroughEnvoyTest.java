package dev.tollgate.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.fakeprovider.ReceivedRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** A 90/10 split is Envoy's weighted-cluster choice; the upstream stage writes each side's model name. */
class CanaryThroughEnvoyTest extends ThroughEnvoyTest {
  private static final int REQUESTS = 500;
  @Test
  void ninetyTenSplitWithTheRightUpstreamModelOnEachSide() throws Exception {
    Map<String, Integer> byUpstreamModel = new TreeMap<>();
    for (int i = 0; i < REQUESTS; i++) {
      HttpResponse<String> response = gateway.post("/v1/chat/completions", TestGateway.ALICE_KEY, TestGateway.chat("gpt-4o-mini"));
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      JsonNode body = TestGateway.JSON.readTree(response.body());
      // The client sees the public name either way; the fake echoes the model it received.
      assertThat(body.path("model").asText()).isEqualTo("gpt-4o-mini");
      byUpstreamModel.merge(response.headers().firstValue("x-fake-provider-received-model").orElse(""), 1,
          Integer::sum);
    }
    assertThat(byUpstreamModel.keySet()).containsExactly("gpt-4o-mini-2024-07-18", "gpt-4o-mini-canary");
    int canary = byUpstreamModel.get("gpt-4o-mini-canary");
    // Binomial(500, 0.1): mean 50, sd 6.7. Four sd either side: a false alarm about once in 15,000 runs.
    assertThat(canary).isBetween(23, 77);
    for (ReceivedRequest received : gateway.provider().receivedRequests()) {
      assertThat(received.model()).isIn("gpt-4o-mini-2024-07-18", "gpt-4o-mini-canary");
      // The rewritten body is the client's body with only the model changed.
      JsonNode upstream = TestGateway.JSON.readTree(received.body());
      assertThat(upstream.path("messages").get(0).path("content").asText()).isEqualTo("Hello there");
    }
  }
}
