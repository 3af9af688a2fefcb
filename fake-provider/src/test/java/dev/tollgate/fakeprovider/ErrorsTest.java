package dev.tollgate.fakeprovider;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ErrorsTest {

  private FakeOpenAiProvider provider;

  @BeforeEach
  void start() throws IOException {
    provider = FakeOpenAiProvider.start(FakeProviderSettings.defaults());
  }

  @AfterEach
  void stop() {
    provider.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"{not json", "{\"model\":\"m\"} trailing", "[1,2]", ""})
  void malformedOrNonObjectJsonIsA400(String body) {
    HttpResponse<String> response = FakeClient.post(provider, "/v1/chat/completions", body);

    assertOpenAiError(response, 400, "invalid_request_error");
    assertThat(FakeClient.json(response.body()).at("/error/message").asText()).contains("JSON");
  }

  @Test
  void missingModelIsA400() {
    HttpResponse<String> response =
        FakeClient.post(provider, "/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");

    assertOpenAiError(response, 400, "invalid_request_error");
    assertThat(FakeClient.json(response.body()).at("/error/message").asText()).contains("model");
  }

  @Test
  void unknownPathIsA404() {
    HttpResponse<String> response = FakeClient.post(provider, "/v1/nope", FakeClient.chatBody("m", "x"));

    assertOpenAiError(response, 404, "invalid_request_error");
    assertThat(FakeClient.json(response.body()).at("/error/message").asText()).contains("/v1/nope");
  }

  @Test
  void wrongMethodIsA405() {
    HttpResponse<String> response = FakeClient.send(FakeClient.request(provider, "/v1/chat/completions").GET().build());

    assertOpenAiError(response, 405, "invalid_request_error");
    assertThat(response.headers().firstValue("allow")).hasValue("POST");
  }

  @Test
  void behaviorHeaderForcesTheStatus() {
    HttpResponse<String> unavailable = FakeClient.post(provider, "/v1/chat/completions",
        FakeClient.chatBody("m", "x"), "x-fake-provider-behavior", "status-503");
    HttpResponse<String> limited = FakeClient.post(provider, "/v1/embeddings",
        "{\"model\":\"e\",\"input\":\"x\"}", "x-fake-provider-behavior", "status-429");

    assertOpenAiError(unavailable, 503, "server_error");
    assertOpenAiError(limited, 429, "requests");
    assertThat(FakeClient.json(limited.body()).at("/error/code").asText()).isEqualTo("rate_limit_exceeded");
    assertThat(unavailable.headers().firstValue(ReplyWriter.MODEL_HEADER)).hasValue("m");
  }

  @ParameterizedTest
  @ValueSource(strings = {"status-200", "status-abc", "slow", ""})
  void otherBehaviorValuesAreNormal(String behavior) {
    HttpResponse<String> response = FakeClient.post(provider, "/v1/chat/completions",
        FakeClient.chatBody("m", "x"), "x-fake-provider-behavior", behavior);

    assertThat(response.statusCode()).isEqualTo(200);
  }

  @Test
  void errorsCarryTheEchoHeadersToo() {
    HttpResponse<String> response = FakeClient.post(provider, "/v1/nope", FakeClient.chatBody("m1", "x"),
        "authorization", "Bearer sk-fake");

    assertThat(response.headers().firstValue(ReplyWriter.NAME_HEADER)).hasValue("fake");
    assertThat(response.headers().firstValue(ReplyWriter.MODEL_HEADER)).hasValue("m1");
    assertThat(response.headers().firstValue(ReplyWriter.AUTHORIZATION_HEADER)).hasValue("Bearer sk-fake");
  }

  private static void assertOpenAiError(HttpResponse<String> response, int status, String type) {
    assertThat(response.statusCode()).isEqualTo(status);
    assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
    JsonNode json = FakeClient.json(response.body());
    assertThat(json.fieldNames()).toIterable().containsExactly("error");
    JsonNode error = json.path("error");
    assertThat(error.fieldNames()).toIterable().containsExactlyInAnyOrder("message", "type", "param", "code");
    assertThat(error.path("message").asText()).isNotBlank();
    assertThat(error.path("type").asText()).isEqualTo(type);
  }
}
