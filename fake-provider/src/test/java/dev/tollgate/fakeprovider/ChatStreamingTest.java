package dev.tollgate.fakeprovider;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ChatStreamingTest {

  private static final String STREAM_BODY = """
      {"model":"gpt-stream","stream":true,"messages":[{"role":"user","content":"Tell me a story"}]}""";
  private static final String STREAM_WITH_USAGE_BODY = """
      {"model":"gpt-stream","stream":true,"stream_options":{"include_usage":true},
       "messages":[{"role":"user","content":"Tell me a story"}]}""";
  private static final String PLAIN_BODY = """
      {"model":"gpt-stream","messages":[{"role":"user","content":"Tell me a story"}]}""";

  private FakeOpenAiProvider provider;

  @AfterEach
  void stop() {
    provider.close();
  }

  @Test
  void streamIsDataEventsWithRoleContentFinishAndDone() throws IOException {
    provider = FakeOpenAiProvider.start(FakeProviderSettings.defaults().withStreamChunks(5));

    HttpResponse<String> response = FakeClient.post(provider, "/v1/chat/completions", STREAM_BODY);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).hasValue("text/event-stream; charset=utf-8");
    List<String> payloads = FakeClient.ssePayloads(response.body());
    assertThat(payloads).last().isEqualTo("[DONE]");
    List<JsonNode> chunks = payloads.subList(0, payloads.size() - 1).stream().map(FakeClient::json).toList();
    assertThat(chunks).hasSize(1 + 5 + 1);

    JsonNode first = chunks.get(0);
    for (JsonNode chunk : chunks) {
      assertThat(chunk.path("id").asText()).startsWith("chatcmpl-").isEqualTo(first.path("id").asText());
      assertThat(chunk.path("object").asText()).isEqualTo("chat.completion.chunk");
      assertThat(chunk.path("created").asLong()).isEqualTo(first.path("created").asLong()).isPositive();
      assertThat(chunk.path("model").asText()).isEqualTo("gpt-stream");
      assertThat(chunk.path("service_tier").asText()).isEqualTo("default");
      assertThat(chunk.has("system_fingerprint") && chunk.get("system_fingerprint").isNull()).isTrue();
      assertThat(chunk.has("usage")).as("usage only with include_usage").isFalse();
      assertThat(chunk.path("choices")).hasSize(1);
      assertThat(chunk.at("/choices/0/index").asInt(-1)).isZero();
    }
    assertThat(first.at("/choices/0/delta")).isEqualTo(FakeClient.json(
        "{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null}"));
    assertThat(first.at("/choices/0/finish_reason").isNull()).isTrue();
    for (JsonNode content : chunks.subList(1, 6)) {
      assertThat(content.at("/choices/0/delta").size()).isEqualTo(1);
      assertThat(content.at("/choices/0/delta/content").isTextual()).isTrue();
      assertThat(content.at("/choices/0/finish_reason").isNull()).isTrue();
    }
    JsonNode last = chunks.get(6);
    assertThat(last.at("/choices/0/delta").isObject()).isTrue();
    assertThat(last.at("/choices/0/delta")).isEmpty();
    assertThat(last.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
  }

  @Test
  void concatenatedDeltasEqualThePlainReply() throws IOException {
    provider = FakeOpenAiProvider.start(FakeProviderSettings.defaults().withStreamChunks(3));

    String plain = FakeClient.json(FakeClient.post(provider, "/v1/chat/completions", PLAIN_BODY).body())
        .at("/choices/0/message/content").asText();
    String streamed = concatenatedContent(FakeClient.post(provider, "/v1/chat/completions", STREAM_BODY).body());

    assertThat(plain).isEqualTo("Hello from fake. You said: Tell me a story");
    assertThat(streamed).isEqualTo(plain);
  }

  @Test
  void moreChunksThanCharactersStillGivesExactlyThatManyChunks() throws IOException {
    provider = FakeOpenAiProvider.start(FakeProviderSettings.defaults().withStreamChunks(100));

    List<String> payloads =
        FakeClient.ssePayloads(FakeClient.post(provider, "/v1/chat/completions", STREAM_BODY).body());

    assertThat(payloads).hasSize(1 + 100 + 1 + 1);
    assertThat(concatenatedContent(String.join("", payloads.stream().map(p -> "data: " + p + "\n\n").toList())))
        .isEqualTo("Hello from fake. You said: Tell me a story");
  }

  @Test
  void includeUsageAddsNullUsageEverywhereAndAFinalUsageChunk() throws IOException {
    provider = FakeOpenAiProvider.start(FakeProviderSettings.defaults().withStreamChunks(4));
    JsonNode plainUsage =
        FakeClient.json(FakeClient.post(provider, "/v1/chat/completions", PLAIN_BODY).body()).path("usage");

    List<String> payloads = FakeClient.ssePayloads(
        FakeClient.post(provider, "/v1/chat/completions", STREAM_WITH_USAGE_BODY).body());

    assertThat(payloads).hasSize(1 + 4 + 1 + 1 + 1).last().isEqualTo("[DONE]");
    List<JsonNode> chunks = payloads.subList(0, payloads.size() - 1).stream().map(FakeClient::json).toList();
    for (JsonNode chunk : chunks.subList(0, chunks.size() - 1)) {
      assertThat(chunk.has("usage") && chunk.get("usage").isNull()).as("usage:null on %s", chunk).isTrue();
    }
    JsonNode usageChunk = chunks.get(chunks.size() - 1);
    assertThat(usageChunk.path("object").asText()).isEqualTo("chat.completion.chunk");
    assertThat(usageChunk.path("id").asText()).isEqualTo(chunks.get(0).path("id").asText());
    assertThat(usageChunk.path("choices").isArray()).isTrue();
    assertThat(usageChunk.path("choices")).isEmpty();
    JsonNode usage = usageChunk.path("usage");
    assertThat(usage).isEqualTo(plainUsage);
    assertThat(usage.path("total_tokens").asInt())
        .isEqualTo(usage.path("prompt_tokens").asInt() + usage.path("completion_tokens").asInt());
  }

  @Test
  void eventsArriveSeparatelyAsTheyAreWritten() throws Exception {
    Duration gap = Duration.ofMillis(200);
    provider = FakeOpenAiProvider.start(
        FakeProviderSettings.defaults().withStreamChunks(3).withInterChunkDelay(gap));
    // role + 3 content + finish + [DONE] = 6 events, so 5 gaps between the first and the last.

    HttpResponse<Stream<String>> response = FakeClient.client().send(
        FakeClient.postRequest(provider, "/v1/chat/completions", STREAM_BODY),
        HttpResponse.BodyHandlers.ofLines());
    List<Long> arrivals = new ArrayList<>();
    try (Stream<String> lines = response.body()) {
      lines.filter(line -> line.startsWith("data: ")).forEach(line -> arrivals.add(System.nanoTime()));
    }

    assertThat(arrivals).hasSize(6);
    // Buffered until the end, all events would arrive together; flushed, they are spread over the
    // gaps. Three gaps of margin leaves room for scheduling noise without an upper bound.
    long spreadNanos = arrivals.get(5) - arrivals.get(0);
    assertThat(Duration.ofNanos(spreadNanos)).isGreaterThanOrEqualTo(gap.multipliedBy(3));
  }

  private static String concatenatedContent(String sseBody) {
    StringBuilder text = new StringBuilder();
    for (String payload : FakeClient.ssePayloads(sseBody)) {
      if (!payload.equals("[DONE]")) {
        text.append(FakeClient.json(payload).at("/choices/0/delta/content").asText(""));
      }
    }
    return text.toString();
  }
}
