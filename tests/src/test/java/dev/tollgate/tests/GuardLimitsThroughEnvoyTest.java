package dev.tollgate.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The prompt guard's size limits through a real Envoy, each at its boundary: a prompt exactly at
 * {@code max_prompt_chars}, {@code max_prompt_tokens} or {@code max_messages} reaches the provider;
 * one more character, token or message is refused with 400 {@code prompt_blocked}, the limit's
 * reason code in {@code param}, the prompt never echoed, and nothing sent upstream.
 */
class GuardLimitsThroughEnvoyTest extends OwnConfigThroughEnvoyTest {
  static final String CONFIG = """
      listener: { address: 127.0.0.1, port: {{LISTENER_PORT}} }
      control_plane: { address: 127.0.0.1, grpc_port: {{GRPC_PORT}}, admin_port: {{ADMIN_PORT}} }
      backends:
        - name: primary
          kind: openai-compatible
          endpoints: [ { host: 127.0.0.1, port: {{FAKE_PORT}} } ]
      models:
        - name: gpt-4o-chars
          targets: [ { backend: primary, model: gpt-4o } ]
        - name: gpt-4o-tokens
          targets: [ { backend: primary, model: gpt-4o } ]
        - name: gpt-4o-messages
          targets: [ { backend: primary, model: gpt-4o } ]
      consumers:
        - name: alice
          api_keys: [ "sha256:{{ALICE_HASH}}" ]
          models: [ "*" ]
      policies:
        - name: chars
          match: { models: [ gpt-4o-chars ] }
          prompt_guard: { action: block, detector: false, max_prompt_chars: 20 }
        - name: tokens
          match: { models: [ gpt-4o-tokens ] }
          prompt_guard: { action: block, detector: false, max_prompt_tokens: 17 }
        - name: messages
          match: { models: [ gpt-4o-messages ] }
          prompt_guard: { action: block, detector: false, max_messages: 2 }
      """;
  /**
   * 17 tokens as the gateway counts a gpt-4o chat: 10 words of one o200k token each, plus OpenAI's
   * framing (3 per message, 1 for the role "user", 3 priming the reply).
   */
  static final String SEVENTEEN_TOKENS = "one two three four five six seven eight nine ten";

  @Override
  String config() {
    return CONFIG;
  }

  @Test
  void maxPromptChars() throws Exception {
    // Characters over every text of the request: 20 is the limit.
    assertPasses(chat("gpt-4o-chars", "quokka quokka quokka"));
    assertRefused(chat("gpt-4o-chars", "quokka quokka quokkas"), "prompt_too_long", "quokka");
    assertRefused(chat("gpt-4o-chars", "quokka quokka", "quokka quokka"), "prompt_too_long", "quokka");
  }

  @Test
  void maxPromptTokens() throws Exception {
    assertPasses(chat("gpt-4o-tokens", SEVENTEEN_TOKENS));
    assertRefused(chat("gpt-4o-tokens", SEVENTEEN_TOKENS + " eleven"), "prompt_too_long", "eight nine ten");
  }

  @Test
  void maxMessages() throws Exception {
    assertPasses(chat("gpt-4o-messages", "wombat one", "wombat two"));
    assertRefused(chat("gpt-4o-messages", "wombat one", "wombat two", "wombat three"), "too_many_messages",
        "wombat");
  }

  private static void assertPasses(String body) {
    HttpResponse<String> response = gateway.post("/v1/chat/completions", TestGateway.ALICE_KEY, body);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(gateway.provider().receivedRequests()).hasSize(1);
    gateway.provider().clearReceivedRequests();
  }

  private static void assertRefused(String body, String reasonCode, String promptText) throws Exception {
    HttpResponse<String> response = gateway.post("/v1/chat/completions", TestGateway.ALICE_KEY, body);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
    assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
    assertThat(response.headers().firstValue("x-tollgate-request-id")).isPresent();
    JsonNode error = TestGateway.JSON.readTree(response.body()).path("error");
    assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
    assertThat(error.path("code").asText()).isEqualTo("prompt_blocked");
    assertThat(error.path("param").asText()).isEqualTo(reasonCode);
    assertThat(error.path("message").asText()).isNotBlank().contains(reasonCode);
    assertThat(response.body()).doesNotContain(promptText);
    assertThat(gateway.provider().receivedRequests()).isEmpty();
  }

  private static String chat(String model, String... userTexts) throws Exception {
    List<JsonNode> messages = java.util.Arrays.stream(userTexts)
        .map(text -> (JsonNode) TestGateway.JSON.createObjectNode().put("role", "user").put("content", text))
        .toList();
    var body = TestGateway.JSON.createObjectNode().put("model", model);
    body.putArray("messages").addAll(messages);
    return TestGateway.JSON.writeValueAsString(body);
  }
}
