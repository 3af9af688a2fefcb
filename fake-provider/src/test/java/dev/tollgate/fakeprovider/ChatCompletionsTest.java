package dev.tollgate.fakeprovider;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ChatCompletionsTest {

  private FakeOpenAiProvider provider;

  @BeforeEach
  void start() throws IOException {
    provider = FakeOpenAiProvider.start(FakeProviderSettings.defaults().withName("alpha"));
  }

  @AfterEach
  void stop() {
    provider.close();
  }

  @Test
  void plainCompletionHasOpenAiShape() {
    String body = """
        {"model":"gpt-test","messages":[
          {"role":"system","content":"You are terse."},
          {"role":"user","content":"Say hi"}]}""";
    long before = Instant.now().getEpochSecond();

    HttpResponse<String> response = FakeClient.post(provider, "/v1/chat/completions", body);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
    JsonNode json = FakeClient.json(response.body());
    assertThat(json.path("id").asText()).startsWith("chatcmpl-").hasSizeGreaterThan("chatcmpl-".length());
    assertThat(json.path("object").asText()).isEqualTo("chat.completion");
    assertThat(json.path("created").asLong()).isBetween(before, Instant.now().getEpochSecond());
    assertThat(json.path("model").asText()).isEqualTo("gpt-test");
    assertThat(json.path("choices")).hasSize(1);
    JsonNode choice = json.path("choices").get(0);
    assertThat(choice.path("index").asInt(-1)).isZero();
    assertThat(choice.path("message").path("role").asText()).isEqualTo("assistant");
    assertThat(choice.path("message").path("content").asText()).isEqualTo("Hello from alpha. You said: Say hi");
    assertThat(choice.path("message").get("refusal").isNull()).isTrue();
    assertThat(choice.path("message").get("annotations").isArray()).isTrue();
    assertThat(choice.path("message").get("annotations")).isEmpty();
    assertThat(choice.get("logprobs").isNull()).isTrue();
    assertThat(choice.path("finish_reason").asText()).isEqualTo("stop");
    assertThat(json.path("service_tier").asText()).isEqualTo("default");
    assertThat(json.get("system_fingerprint").isNull()).isTrue();
  }

  @Test
  void usageIsTheDocumentedEstimateAndSums() {
    // prompt: "You are terse." + "Say hi" = 20 chars -> 5 tokens;
    // reply: "Hello from alpha. You said: Say hi" = 34 chars -> 9 tokens.
    String body = """
        {"model":"m","messages":[
          {"role":"system","content":"You are terse."},
          {"role":"user","content":"Say hi"}]}""";

    JsonNode usage = FakeClient.json(FakeClient.post(provider, "/v1/chat/completions", body).body()).path("usage");

    assertThat(usage.path("prompt_tokens").asInt()).isEqualTo(5);
    assertThat(usage.path("completion_tokens").asInt()).isEqualTo(9);
    assertThat(usage.path("total_tokens").asInt()).isEqualTo(14);
    assertThat(usage.path("prompt_tokens_details").path("cached_tokens").isInt()).isTrue();
    assertThat(usage.path("prompt_tokens_details").path("audio_tokens").isInt()).isTrue();
    assertThat(usage.path("completion_tokens_details").path("reasoning_tokens").isInt()).isTrue();
    assertThat(usage.path("completion_tokens_details").path("audio_tokens").isInt()).isTrue();
    assertThat(usage.path("completion_tokens_details").path("accepted_prediction_tokens").isInt()).isTrue();
    assertThat(usage.path("completion_tokens_details").path("rejected_prediction_tokens").isInt()).isTrue();
  }

  @Test
  void answersTheLastUserMessageAndEchoesOnly64Characters() {
    String longText = "x".repeat(70);
    String body = """
        {"model":"m","messages":[
          {"role":"user","content":"first"},
          {"role":"assistant","content":"ignored"},
          {"role":"user","content":[{"type":"text","text":"%s"},{"type":"image_url","image_url":{"url":"u"}}]}]}"""
        .formatted(longText);

    JsonNode json = FakeClient.json(FakeClient.post(provider, "/v1/chat/completions", body).body());

    assertThat(json.at("/choices/0/message/content").asText())
        .isEqualTo("Hello from alpha. You said: " + "x".repeat(64));
  }

  @Test
  void tokenLimitCutsTheReplyWithFinishReasonLength() {
    String body = """
        {"model":"m","max_completion_tokens":2,"messages":[{"role":"user","content":"hi"}]}""";

    JsonNode json = FakeClient.json(FakeClient.post(provider, "/v1/chat/completions", body).body());

    assertThat(json.at("/choices/0/message/content").asText()).isEqualTo("Hello fr");
    assertThat(json.at("/choices/0/finish_reason").asText()).isEqualTo("length");
    assertThat(json.at("/usage/completion_tokens").asInt()).isEqualTo(2);
  }

  @Test
  void rejectsMissingAndEmptyMessages() {
    HttpResponse<String> missing = FakeClient.post(provider, "/v1/chat/completions", "{\"model\":\"m\"}");
    HttpResponse<String> empty =
        FakeClient.post(provider, "/v1/chat/completions", "{\"model\":\"m\",\"messages\":[]}");

    assertThat(missing.statusCode()).isEqualTo(400);
    assertThat(FakeClient.json(missing.body()).at("/error/param").asText()).isEqualTo("messages");
    assertThat(empty.statusCode()).isEqualTo(400);
    assertThat(FakeClient.json(empty.body()).at("/error/code").asText()).isEqualTo("empty_array");
  }
}
