package dev.tollgate.fakeprovider;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CompletionsTest {

  private FakeOpenAiProvider provider;

  @BeforeEach
  void start() throws IOException {
    provider = FakeOpenAiProvider.start(FakeProviderSettings.defaults().withStreamChunks(4));
  }

  @AfterEach
  void stop() {
    provider.close();
  }

  @Test
  void plainCompletionHasTextCompletionShape() {
    HttpResponse<String> response = FakeClient.post(provider, "/v1/completions",
        "{\"model\":\"babbage-002\",\"prompt\":\"def fib(n):\"}");

    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode json = FakeClient.json(response.body());
    assertThat(json.path("id").asText()).startsWith("cmpl-");
    assertThat(json.path("object").asText()).isEqualTo("text_completion");
    assertThat(json.path("created").asLong()).isPositive();
    assertThat(json.path("model").asText()).isEqualTo("babbage-002");
    assertThat(json.path("choices")).hasSize(1);
    JsonNode choice = json.path("choices").get(0);
    assertThat(choice.path("text").asText()).isEqualTo("Hello from fake. You said: def fib(n):");
    assertThat(choice.path("index").asInt(-1)).isZero();
    assertThat(choice.get("logprobs").isNull()).isTrue();
    assertThat(choice.path("finish_reason").asText()).isEqualTo("stop");
    JsonNode usage = json.path("usage");
    assertThat(usage.path("prompt_tokens").asInt()).isEqualTo(3); // 11 chars
    assertThat(usage.path("completion_tokens").asInt()).isEqualTo(10); // 38 chars
    assertThat(usage.path("total_tokens").asInt()).isEqualTo(13);
  }

  @Test
  void promptArrayGivesOneChoicePerPrompt() {
    JsonNode json = FakeClient.json(FakeClient.post(provider, "/v1/completions",
        "{\"model\":\"m\",\"prompt\":[\"a\",\"b\"]}").body());

    assertThat(json.path("choices")).hasSize(2);
    assertThat(json.at("/choices/1/index").asInt()).isEqualTo(1);
    assertThat(json.at("/choices/1/text").asText()).endsWith("You said: b");
  }

  @Test
  void streamCarriesTextChunksFinishOnTheLastAndUsageOnlyWhenAsked() {
    String body = "{\"model\":\"m\",\"prompt\":\"abc\",\"stream\":true,\"stream_options\":{\"include_usage\":true}}";

    HttpResponse<String> response = FakeClient.post(provider, "/v1/completions", body);

    assertThat(response.headers().firstValue("content-type")).hasValue("text/event-stream; charset=utf-8");
    List<String> payloads = FakeClient.ssePayloads(response.body());
    assertThat(payloads).hasSize(4 + 1 + 1).last().isEqualTo("[DONE]");
    List<JsonNode> chunks = payloads.subList(0, 5).stream().map(FakeClient::json).toList();
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 4; i++) {
      JsonNode chunk = chunks.get(i);
      assertThat(chunk.path("object").asText()).isEqualTo("text_completion");
      assertThat(chunk.path("model").asText()).isEqualTo("m");
      assertThat(chunk.get("usage").isNull()).isTrue();
      assertThat(chunk.at("/choices/0/finish_reason").isNull()).isEqualTo(i < 3);
      text.append(chunk.at("/choices/0/text").asText());
    }
    assertThat(text).hasToString("Hello from fake. You said: abc");
    assertThat(chunks.get(3).at("/choices/0/finish_reason").asText()).isEqualTo("stop");
    assertThat(chunks.get(4).path("choices")).isEmpty();
    assertThat(chunks.get(4).at("/usage/total_tokens").asInt()).isEqualTo(1 + 8);

    List<String> withoutUsage = FakeClient.ssePayloads(FakeClient.post(provider, "/v1/completions",
        "{\"model\":\"m\",\"prompt\":\"abc\",\"stream\":true}").body());
    assertThat(withoutUsage).hasSize(4 + 1).noneMatch(p -> p.contains("\"usage\""));
  }
}
