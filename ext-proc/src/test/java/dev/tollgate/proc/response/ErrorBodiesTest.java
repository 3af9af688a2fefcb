package dev.tollgate.proc.response;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ErrorBodiesTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode normalize(int status, String body) throws Exception {
    return JSON.readTree(ErrorBodies.normalize(status, body.getBytes(StandardCharsets.UTF_8), JSON).orElseThrow())
        .get("error");
  }

  @Test
  void anOpenAiErrorStaysAsItIs() {
    String body = "{\"error\":{\"message\":\"bad\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":null}}";
    assertThat(ErrorBodies.normalize(400, body.getBytes(StandardCharsets.UTF_8), JSON)).isEmpty();
  }

  @Test
  void htmlAndEmptyBodiesBecomeAGenericErrorOfTheRightType() throws Exception {
    JsonNode error = normalize(502, "<html><body>Bad Gateway</body></html>");
    assertThat(error.path("message").asText()).contains("HTTP 502");
    assertThat(error.path("type").asText()).isEqualTo("api_error");
    assertThat(error.path("code").asText()).isEqualTo("upstream_error");
    assertThat(error.has("param")).isTrue();
    assertThat(normalize(429, "").path("type").asText()).isEqualTo("rate_limit_error");
    assertThat(normalize(404, "nope").path("type").asText()).isEqualTo("invalid_request_error");
  }

  @Test
  void otherVendorsShapesKeepTheirMessage() throws Exception {
    assertThat(normalize(400, "{\"detail\":\"field required\"}").path("message").asText()).isEqualTo("field required");
    assertThat(normalize(500, "{\"error\":\"overloaded\"}").path("message").asText()).isEqualTo("overloaded");
    JsonNode anthropicLike = normalize(529, "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}");
    assertThat(anthropicLike.path("message").asText()).isEqualTo("Overloaded");
    assertThat(anthropicLike.path("type").asText()).isEqualTo("overloaded_error");
    assertThat(normalize(400, "[{\"error\":{\"code\":400,\"message\":\"m\",\"status\":\"INVALID_ARGUMENT\"}}]")
        .path("code").asInt()).isEqualTo(400);
  }

  @Test
  void theProvidersRefusalOfTheGatewayCredentialNeverQuotesIt() throws Exception {
    JsonNode error = normalize(401, "{\"error\":{\"message\":\"Incorrect API key provided: sk-prov****1234\","
        + "\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"invalid_api_key\"}}");
    assertThat(error.toString()).doesNotContain("sk-prov");
    assertThat(error.path("code").asText()).isEqualTo("upstream_authentication_failed");
  }
}
