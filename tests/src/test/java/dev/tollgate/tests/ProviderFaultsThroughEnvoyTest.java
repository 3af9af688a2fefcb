package dev.tollgate.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A provider that fails, resets or stalls: Envoy's retries and timeouts from the model's config
 * apply, and the client always gets a defined outcome in bounded time. The standard config gives
 * every model one retry; {@code gpt-4o-impatient} has a 700 ms idle timeout.
 */
class ProviderFaultsThroughEnvoyTest extends ThroughEnvoyTest {

  private static HttpResponse<String> misbehave(String model, String behavior, Integer failFirst) {
    Map<String, String> headers = failFirst == null
        ? Map.of("x-fake-provider-behavior", behavior)
        : Map.of("x-fake-provider-behavior", behavior, "x-fake-provider-fail-first", failFirst.toString(),
            "x-fake-provider-key", UUID.randomUUID().toString());
    return gateway.post("/v1/chat/completions", TestGateway.ALICE_KEY, TestGateway.chat(model), headers);
  }

  @Test
  void aTransient503IsRetriedAndTheClientSeesSuccess() {
    HttpResponse<String> response = misbehave("gpt-4o", "status-503", 1);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(gateway.provider().receivedRequests()).hasSize(2);
  }

  @Test
  void aRetryOfACanaryModelSendsTheTargetsModelNameAgain() {
    HttpResponse<String> response = misbehave("gpt-4o-mini", "status-503", 1);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(gateway.provider().receivedRequests()).hasSize(2)
        .allSatisfy(received -> assertThat(received.model()).isIn("gpt-4o-mini-2024-07-18", "gpt-4o-mini-canary"));
  }

  @Test
  void aPersistent503IsRetriedOnceThenPassedThroughInOpenAiShape() throws Exception {
    HttpResponse<String> response = misbehave("gpt-4o", "status-503", null);
    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(TestGateway.JSON.readTree(response.body()).path("error").path("message").asText()).isNotBlank();
    assertThat(response.headers().firstValue("x-tollgate-request-id")).isPresent();
    assertThat(gateway.provider().receivedRequests()).hasSize(2);
  }

  @Test
  void aClientErrorFromTheProviderIsNotRetried() {
    HttpResponse<String> response = misbehave("gpt-4o", "status-400", null);
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(gateway.provider().receivedRequests()).hasSize(1);
  }

  @Test
  void aResetBeforeHeadersIsRetried() {
    HttpResponse<String> response = misbehave("gpt-4o", "reset", 1);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(gateway.provider().receivedRequests()).hasSize(2);
  }

  @Test
  void persistentResetsEndIn503UpstreamError() throws Exception {
    HttpResponse<String> response = misbehave("gpt-4o", "reset", null);
    assertThat(response.statusCode()).isEqualTo(503);
    JsonNode error = TestGateway.JSON.readTree(response.body()).path("error");
    assertThat(error.path("code").asText()).isEqualTo("upstream_error");
    assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
    assertThat(gateway.provider().receivedRequests()).hasSize(2);
  }

  @Test
  void aStallBeforeTheFirstByteTimesOutRetriesAndEndsIn504() throws Exception {
    long start = System.nanoTime();
    HttpResponse<String> response = misbehave("gpt-4o-impatient", "stall-first-byte", null);
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(504);
    assertThat(TestGateway.JSON.readTree(response.body()).path("error").path("code").asText()).isEqualTo("upstream_error");
    // Two attempts of 700 ms idle each, and not the provider's 30 s stall.
    assertThat(took).isBetween(Duration.ofMillis(1300), Duration.ofSeconds(5));
    assertThat(gateway.provider().receivedRequests()).hasSize(2);
  }

  @Test
  void aStallBeforeTheFirstByteThatRecoversOnRetrySucceeds() {
    HttpResponse<String> response = misbehave("gpt-4o-impatient", "stall-first-byte", 1);
    assertThat(response.statusCode()).isEqualTo(200);
  }

  @Test
  void aStreamThatStallsMidwayIsCutAfterTheIdleTimeoutWithoutDone() throws Exception {
    String body = "{\"model\":\"gpt-4o-impatient\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    HttpRequest request = HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/v1/chat/completions"))
        .header("authorization", "Bearer " + TestGateway.ALICE_KEY)
        .header("content-type", "application/json")
        .header("x-fake-provider-behavior", "stall-mid-stream")
        .timeout(Duration.ofSeconds(20))
        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    long start = System.nanoTime();
    HttpResponse<InputStream> response = java.net.http.HttpClient.newHttpClient()
        .send(request, HttpResponse.BodyHandlers.ofInputStream());
    assertThat(response.statusCode()).isEqualTo(200);
    StringBuilder received = new StringBuilder();
    boolean cut = false;
    try (InputStream in = response.body()) {
      byte[] buffer = new byte[4096];
      for (int n; (n = in.read(buffer)) >= 0; ) {
        received.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      cut = true; // Envoy resets the stream: the defined outcome for a provider gone silent.
    }
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertThat(received.toString()).startsWith("data: ").doesNotContain("[DONE]");
    assertThat(received.toString().split("\n\n")).hasSize(2);
    assertThat(cut).as("the client sees the stream end abnormally, not a clean end").isTrue();
    assertThat(took).isLessThan(Duration.ofSeconds(5));
    // Never replayed once bytes reached the client.
    assertThat(gateway.provider().receivedRequests()).hasSize(1);
  }
}
