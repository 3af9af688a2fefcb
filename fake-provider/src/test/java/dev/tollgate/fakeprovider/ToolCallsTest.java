package dev.tollgate.fakeprovider;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** x-fake-provider-behavior: tool-call, in the wire format of OpenAI's recorded tool answers. */
class ToolCallsTest {
  private static final String TWO_CALLS = """
      {"model":"gpt-4o",%s
       "messages":[{"role":"user","content":"send both"},
        {"role":"assistant","content":null,"tool_calls":[
          {"id":"call_a","type":"function","function":{"name":"send","arguments":"{\\"to\\":\\"a@b.example\\"}"}},
          {"id":"call_b","type":"function","function":{"name":"lookup","arguments":"{\\"q\\":\\"weather\\"}"}}]}]}""";

  private FakeOpenAiProvider provider;

  @BeforeEach
  void start() throws java.io.IOException {
    provider = FakeOpenAiProvider.start(FakeProviderSettings.defaults());
  }

  @AfterEach
  void stop() {
    provider.close();
  }

  @Test
  void aPlainAnswerEchoesTheLastAssistantToolCalls() {
    HttpResponse<String> response = FakeClient.post(provider, "/v1/chat/completions",
        TWO_CALLS.formatted("\"stream\":false,"), "x-fake-provider-behavior", "tool-call");

    JsonNode choice = FakeClient.json(response.body()).path("choices").path(0);
    assertThat(choice.path("finish_reason").asText()).isEqualTo("tool_calls");
    JsonNode message = choice.path("message");
    assertThat(message.path("content").isNull()).isTrue();
    assertThat(message.path("tool_calls")).hasSize(2);
    JsonNode first = message.path("tool_calls").path(0);
    assertThat(first.path("id").asText()).startsWith("call_").hasSize(29);
    assertThat(first.path("type").asText()).isEqualTo("function");
    assertThat(first.path("function").path("name").asText()).isEqualTo("send");
    assertThat(first.path("function").path("arguments").asText()).isEqualTo("{\"to\":\"a@b.example\"}");
    assertThat(message.path("tool_calls").path(1).path("function").path("name").asText()).isEqualTo("lookup");
    assertThat(FakeClient.json(response.body()).path("usage").path("completion_tokens").asInt()).isPositive();
  }

  @Test
  void withoutToolCallsInTheRequestItCallsTheFirstDeclaredToolWithTheUserText() {
    HttpResponse<String> response = FakeClient.post(provider, "/v1/chat/completions", """
        {"model":"gpt-4o","tools":[{"type":"function","function":{"name":"get_current_weather"}}],
         "messages":[{"role":"user","content":"Boston"}]}""", "x-fake-provider-behavior", "tool-call");

    JsonNode function = FakeClient.json(response.body()).at("/choices/0/message/tool_calls/0/function");
    assertThat(function.path("name").asText()).isEqualTo("get_current_weather");
    assertThat(function.path("arguments").asText()).isEqualTo("{\"text\":\"Boston\"}");
  }

  @Test
  void aStreamNamesEachCallOnceThenSendsItsArgumentsInPieces() {
    HttpResponse<String> response = FakeClient.post(provider, "/v1/chat/completions",
        TWO_CALLS.formatted("\"stream\":true,"), "x-fake-provider-behavior", "tool-call");

    List<String> payloads = FakeClient.ssePayloads(response.body());
    assertThat(payloads).last().isEqualTo("[DONE]");
    List<JsonNode> chunks = payloads.subList(0, payloads.size() - 1).stream().map(FakeClient::json).toList();
    JsonNode opening = chunks.get(0).at("/choices/0/delta");
    assertThat(opening.path("role").asText()).isEqualTo("assistant");
    assertThat(opening.at("/tool_calls/0/function/name").asText()).isEqualTo("send");
    assertThat(opening.at("/tool_calls/0/function/arguments").asText()).isEmpty();
    Map<Integer, String> arguments = new TreeMap<>();
    for (JsonNode chunk : chunks) {
      for (JsonNode call : chunk.at("/choices/0/delta/tool_calls")) {
        assertThat(call.path("function").path("arguments").asText().length()).isLessThanOrEqualTo(4);
        arguments.merge(call.path("index").asInt(), call.path("function").path("arguments").asText(), String::concat);
      }
    }
    assertThat(arguments).containsExactly(Map.entry(0, "{\"to\":\"a@b.example\"}"), Map.entry(1, "{\"q\":\"weather\"}"));
    assertThat(chunks.get(chunks.size() - 1).at("/choices/0/finish_reason").asText()).isEqualTo("tool_calls");
  }

  @Test
  void maxTokensCutsTheArgumentsUnlessTheBehaviourIgnoresIt() {
    String body = "{\"model\":\"gpt-4o\",\"max_tokens\":2,\"messages\":[{\"role\":\"user\",\"content\":"
        + "\"a long text to echo\"}]}";
    JsonNode cut = FakeClient.json(FakeClient.post(provider, "/v1/chat/completions", body,
        "x-fake-provider-behavior", "tool-call").body());
    assertThat(cut.at("/choices/0/finish_reason").asText()).isEqualTo("length");
    assertThat(cut.at("/choices/0/message/tool_calls/0/function/arguments").asText()).isEqualTo("{\"text\":");
    JsonNode whole = FakeClient.json(FakeClient.post(provider, "/v1/chat/completions", body,
        "x-fake-provider-behavior", "tool-call-ignore-max-tokens").body());
    assertThat(whole.at("/choices/0/finish_reason").asText()).isEqualTo("tool_calls");
  }
}
