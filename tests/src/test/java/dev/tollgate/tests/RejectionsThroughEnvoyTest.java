package dev.tollgate.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/**
 * Every bad request gets an OpenAI-shaped error with the right status, from the gateway itself:
 * the provider never sees it.
 */
class RejectionsThroughEnvoyTest extends ThroughEnvoyTest {
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
    // A raw socket, because Envoy answers before the upload ends and HTTP clients differ in how
    // they take an early reply; the whole request fits in loopback's send buffer, so writing never
    // blocks and the reply is read afterwards.
    String json = "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"" + "x".repeat(70_000) + "\"}]}";
    String request = "POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\n"
        + "Authorization: Bearer " + TestGateway.ALICE_KEY + "\r\nContent-Type: application/json\r\n"
        + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        + Integer.toHexString(json.length()) + "\r\n" + json + "\r\n0\r\n\r\n";
    String port = gateway.values().get("LISTENER_PORT");
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", Integer.parseInt(port))) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      String reply = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      assertThat(reply).startsWith("HTTP/1.1 413");
      assertThat(reply.toLowerCase()).contains("content-type: application/json").contains("x-tollgate-request-id: req_");
      JsonNode error = TestGateway.JSON.readTree(reply.substring(reply.indexOf("\r\n\r\n") + 4)).path("error");
      assertThat(error.path("code").asText()).isEqualTo("request_too_large");
      assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
    }
    assertThat(gateway.provider().receivedRequests()).isEmpty();
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
