package dev.tollgate.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every bad request gets an OpenAI-shaped error with the right status, from the gateway itself:
 * the provider never sees it.
 */
class RejectionsThroughEnvoyTest {
  private static TestGateway gateway;

  @BeforeAll
  static void start() throws Exception {
    gateway = TestGateway.start();
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  @BeforeEach
  void clear() {
    gateway.provider().clearReceivedRequests();
  }

  @Test
  void noKeyGets401() throws Exception {
    assertError(gateway.post("/v1/chat/completions", null, TestGateway.chat("gpt-4o")), 401, "invalid_api_key");
  }

  @Test
  void wrongKeyGets401() throws Exception {
    HttpResponse<String> response = gateway.post("/v1/chat/completions", "tg-wrong-key", TestGateway.chat("gpt-4o"));
    assertError(response, 401, "invalid_api_key");
    assertThat(response.body()).doesNotContain("tg-wrong-key");
  }

  @Test
  void nonBearerAuthorizationGets401() throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/v1/chat/completions"))
        .header("authorization", "Basic " + TestGateway.ALICE_KEY)
        .POST(HttpRequest.BodyPublishers.ofString(TestGateway.chat("gpt-4o"))).build();
    assertError(gateway.send(request), 401, "invalid_api_key");
  }

  @Test
  void modelTheConsumerMayNotUseGets403() throws Exception {
    // bob may use other-* only; gpt-4o exists.
    assertError(gateway.post("/v1/chat/completions", TestGateway.BOB_KEY, TestGateway.chat("gpt-4o")), 403, "model_not_allowed");
  }

  @Test
  void unknownModelGets404() throws Exception {
    HttpResponse<String> response = gateway.post("/v1/chat/completions", TestGateway.ALICE_KEY, TestGateway.chat("gpt-4o-nonexistent"));
    assertError(response, 404, "model_not_found");
    assertThat(TestGateway.JSON.readTree(response.body()).path("error").path("param").asText()).isEqualTo("model");
  }

  @Test
  void malformedJsonGets400() throws Exception {
    assertError(gateway.post("/v1/chat/completions", TestGateway.ALICE_KEY, "{\"model\": \"gpt-4o\", "), 400, null);
  }

  @Test
  void jsonThatIsNotAnObjectGets400() throws Exception {
    assertError(gateway.post("/v1/chat/completions", TestGateway.ALICE_KEY, "[1,2,3]"), 400, null);
  }

  @Test
  void bodyWithoutModelGets400NamingTheParameter() throws Exception {
    HttpResponse<String> response = gateway.post("/v1/chat/completions", TestGateway.ALICE_KEY,
        "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    assertError(response, 400, null);
    assertThat(TestGateway.JSON.readTree(response.body()).path("error").path("param").asText()).isEqualTo("model");
  }

  @Test
  void nonStringModelGets400() throws Exception {
    assertError(gateway.post("/v1/chat/completions", TestGateway.ALICE_KEY, "{\"model\": 42}"), 400, null);
  }

  @Test
  void emptyBodyGets400() throws Exception {
    assertError(gateway.post("/v1/chat/completions", TestGateway.ALICE_KEY, ""), 400, null);
  }

  @Test
  void oversizedBodyGets413WithContentLength() throws Exception {
    // The standard test config caps bodies at 64 KiB.
    String big = "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"" + "x".repeat(70_000) + "\"}]}";
    assertError(gateway.post("/v1/chat/completions", TestGateway.ALICE_KEY, big), 413, "request_too_large");
  }

  @Test
  void oversizedChunkedBodyGets413() throws Exception {
    // No content-length: Envoy's buffer limit catches it and the local-reply mapper shapes the body.
    byte[] big = ("{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"" + "x".repeat(70_000) + "\"}]}").getBytes();
    HttpRequest request = HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/v1/chat/completions"))
        .header("authorization", "Bearer " + TestGateway.ALICE_KEY)
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(big)))
        .build();
    assertError(gateway.send(request), 413, "request_too_large");
  }

  @Test
  void getOnACompletionEndpointGets405() throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/v1/chat/completions"))
        .header("authorization", "Bearer " + TestGateway.ALICE_KEY).GET().build();
    assertError(gateway.send(request), 405, "method_not_allowed");
  }

  @Test
  void unknownPathGets404() throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/v1/no-such-endpoint"))
        .header("authorization", "Bearer " + TestGateway.ALICE_KEY).GET().build();
    assertError(gateway.send(request), 404, "unknown_url");
  }

  @Test
  void unreachableProviderGets503InOpenAiShape() throws Exception {
    HttpResponse<String> response = gateway.post("/v1/chat/completions", TestGateway.ALICE_KEY,
        TestGateway.chat("gpt-4o-unreachable"));
    assertError(response, 503, "upstream_error");
    assertThat(TestGateway.JSON.readTree(response.body()).path("error").path("type").asText()).isEqualTo("api_error");
  }

  private static void assertError(HttpResponse<String> response, int status, String code) throws Exception {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
    assertThat(response.headers().firstValue("x-tollgate-request-id")).isPresent();
    JsonNode error = TestGateway.JSON.readTree(response.body()).path("error");
    assertThat(error.path("message").asText()).isNotBlank();
    assertThat(error.path("type").asText()).isNotBlank();
    assertThat(error.has("param")).isTrue();
    assertThat(error.has("code")).isTrue();
    if (code != null) {
      assertThat(error.path("code").asText()).isEqualTo(code);
    }
    assertThat(gateway.provider().receivedRequests()).as("the provider must not see a rejected request").isEmpty();
  }
}
