package dev.tollgate.proc.response;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import dev.tollgate.core.config.PiiConfig;
import dev.tollgate.core.config.ResponseRewriteConfig;
import dev.tollgate.inspect.pii.PiiEngine;
import dev.tollgate.inspect.pii.Pseudonyms;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StreamRewriterTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String USAGE = "{\"prompt_tokens\":12,\"completion_tokens\":100,\"total_tokens\":112,"
      + "\"prompt_tokens_details\":{\"cached_tokens\":3,\"audio_tokens\":0},"
      + "\"completion_tokens_details\":{\"reasoning_tokens\":64,\"audio_tokens\":0}}";

  static String chunk(String content, String finish, boolean usageNull) {
    return "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,"
        + "\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[{\"index\":0,\"delta\":"
        + (content == null ? "{}" : "{\"content\":" + JSON.valueToTree(content) + "}")
        + ",\"finish_reason\":" + (finish == null ? "null" : "\"" + finish + "\"") + "}]"
        + (usageNull ? ",\"usage\":null" : "") + "}\n\n";
  }

  static String usageChunk() {
    return "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,"
        + "\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[],\"usage\":" + USAGE + "}\n\n";
  }

  static ResponsePlan plan(UsageOptions.StreamUsage usage, ResponseTextTransform text) {
    return new ResponsePlan("/v1/chat/completions", "gpt-4o-mini", true, usage, ResponseRewriteConfig.DEFAULTS,
        text, System.nanoTime(), 1 << 20);
  }

  record Output(List<JsonNode> chunks, boolean done, String text) {}

  static Output run(StreamRewriter rewriter, List<String> pieces) throws Exception {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < pieces.size(); i++) {
      out.append(rewriter.accept(ByteString.copyFromUtf8(pieces.get(i)), i == pieces.size() - 1).toStringUtf8());
    }
    List<JsonNode> chunks = new ArrayList<>();
    boolean done = false;
    StringBuilder text = new StringBuilder();
    for (String block : out.toString().split("\n\n")) {
      if (block.isBlank()) {
        continue;
      }
      String data = block.substring("data: ".length());
      if (data.equals("[DONE]")) {
        done = true;
        continue;
      }
      JsonNode node = JSON.readTree(data);
      chunks.add(node);
      for (JsonNode choice : node.path("choices")) {
        text.append(choice.path("delta").path("content").asText(""));
      }
    }
    return new Output(chunks, done, text.toString());
  }

  @Test
  void usageTheGatewayAskedForIsReadThenRemovedAndTheModelIsThePublicOne() throws Exception {
    StreamRewriter rewriter = new StreamRewriter(plan(new UsageOptions.StreamUsage(false, true), null), JSON);
    Output out = run(rewriter, List.of(chunk("", null, true), chunk("Hi", null, true), chunk(null, "stop", true),
        usageChunk(), "data: [DONE]\n\n", ""));

    assertThat(out.done()).isTrue();
    assertThat(out.chunks()).hasSize(3).allSatisfy(chunk -> {
      assertThat(chunk.path("usage").isNull()).isTrue(); // "usage": null stays (see StreamRewriter)
      assertThat(chunk.path("choices")).isNotEmpty();
      assertThat(chunk.path("model").asText()).isEqualTo("gpt-4o-mini");
    });
    assertThat(rewriter.usage()).contains(new TokenUsage(12, 100, 112, 3, 64));
    assertThat(rewriter.providerModel()).isEqualTo("gpt-4o-mini-2024-07-18");
  }

  @Test
  void usageTheClientAskedForStaysExactlyAsTheProviderSentIt() throws Exception {
    StreamRewriter rewriter = new StreamRewriter(plan(new UsageOptions.StreamUsage(true, false), null), JSON);
    Output out = run(rewriter, List.of(chunk("Hi", null, true), chunk(null, "stop", true), usageChunk(),
        "data: [DONE]\n\n", ""));

    assertThat(out.chunks()).hasSize(3);
    assertThat(out.chunks().get(0).has("usage")).isTrue();
    assertThat(out.chunks().get(2).path("choices")).isEmpty();
    assertThat(out.chunks().get(2).path("usage").path("total_tokens").asInt()).isEqualTo(112);
    assertThat(rewriter.usage()).isPresent();
  }

  @Test
  void brokenEventsAreDroppedAndCountedAndATruncatedStreamHasNoDone() throws Exception {
    StreamRewriter rewriter = new StreamRewriter(plan(UsageOptions.StreamUsage.NOT_STREAMED, null), JSON);
    Output out = run(rewriter, List.of(chunk("Hi", null, false), "data: not json\n\n", "data: [1,2]\n\n",
        ": ping\n\n", chunk(" there", null, false) + "data: {\"cut"));

    assertThat(out.text()).isEqualTo("Hi there");
    assertThat(out.done()).isFalse();
    assertThat(rewriter.brokenEvents()).isEqualTo(3);
    assertThat(rewriter.sawDone()).isFalse();
  }

  @Test
  void aPseudonymSplitAcrossChunksAtAnyPointIsRestored() throws Exception {
    PiiEngine engine = PiiEngine.compile(PiiConfig.defaults());
    Pseudonyms pseudonyms = new Pseudonyms();
    String redacted = engine.redactRequest("write to jane.doe@example.com", pseudonyms).text();
    assertThat(redacted).contains("<EMAIL_1>");
    String answer = "Sure, I will write to <EMAIL_1> today.";
    for (int cut = 1; cut < answer.length(); cut++) {
      StreamRewriter rewriter = new StreamRewriter(
          plan(UsageOptions.StreamUsage.NOT_STREAMED, PiiTextTransform.of(engine, pseudonyms)), JSON);
      String all = chunk(answer.substring(0, cut), null, false) + chunk(answer.substring(cut), null, false)
          + chunk(null, "stop", false) + "data: [DONE]\n\n";
      // The SSE bytes cut somewhere else again, as Envoy may hand them over.
      int byteCut = (cut * 37) % all.length();
      Output out = run(rewriter, List.of(all.substring(0, byteCut), all.substring(byteCut), ""));
      assertThat(out.text()).as("cut at %d", cut).isEqualTo("Sure, I will write to jane.doe@example.com today.");
      assertThat(out.done()).isTrue();
    }
  }

  @Test
  void heldBackTextIsFlushedBeforeDoneWhenNoChunkFinishesTheChoice() throws Exception {
    PiiEngine engine = PiiEngine.compile(PiiConfig.defaults());
    Pseudonyms pseudonyms = new Pseudonyms();
    engine.redactRequest("mail jane.doe@example.com", pseudonyms);
    StreamRewriter rewriter = new StreamRewriter(
        plan(UsageOptions.StreamUsage.NOT_STREAMED, PiiTextTransform.of(engine, pseudonyms)), JSON);
    Output out = run(rewriter, List.of(chunk("to <EMAIL", null, false), chunk("_1>", null, false),
        "data: [DONE]\n\n", ""));

    assertThat(out.text()).isEqualTo("to jane.doe@example.com");
    assertThat(out.chunks().get(out.chunks().size() - 1).path("model").asText()).isEqualTo("gpt-4o-mini");
  }

  @Test
  void responseMaskingHidesAValueSplitAcrossChunks() throws Exception {
    PiiEngine engine = PiiEngine.compile(new PiiConfig(null, null, Map.of(), Map.of("EMAIL", "mask"), null));
    StreamRewriter rewriter = new StreamRewriter(
        plan(UsageOptions.StreamUsage.NOT_STREAMED, PiiTextTransform.of(engine, new Pseudonyms())), JSON);
    Output out = run(rewriter, List.of(chunk("reach bob.smith@exa", null, false), chunk("mple.org now", null, false),
        chunk(null, "stop", false), "data: [DONE]\n\n", ""));

    assertThat(out.text()).doesNotContain("bob.smith").contains("[EMAIL]").endsWith(" now");
  }

  @Test
  void withNothingToRewriteChunksPassAsTheirOwnBytesAndUsageIsStillRead() throws Exception {
    StreamRewriter rewriter = new StreamRewriter(plan(new UsageOptions.StreamUsage(false, true), null), JSON);
    String first = chunk("Hi", null, true).replace("gpt-4o-mini-2024-07-18", "gpt-4o-mini");
    String last = chunk(null, "stop", true).replace("gpt-4o-mini-2024-07-18", "gpt-4o-mini");
    String out = rewriter.accept(ByteString.copyFromUtf8(first + last + usageChunk() + "data: not json\n\n"
        + "data: [DONE]\n\n"), true).toStringUtf8();

    assertThat(out).isEqualTo(first + last + "data: [DONE]\n\n");
    assertThat(rewriter.usage()).contains(new TokenUsage(12, 100, 112, 3, 64));
    assertThat(rewriter.firstTokenNanos()).isNotNegative();
    assertThat(rewriter.brokenEvents()).isEqualTo(1);
  }

  @Test
  void fieldRewritesApplyToEveryChunk() throws Exception {
    ResponseRewriteConfig config = new ResponseRewriteConfig(false, null, null, List.of("choices.finish_reason"),
        Map.of("object", "kind"), null, null);
    StreamRewriter rewriter = new StreamRewriter(new ResponsePlan("/v1/chat/completions", "gpt-4o-mini", true,
        UsageOptions.StreamUsage.NOT_STREAMED, config, null, System.nanoTime(), 1 << 20), JSON);
    Output out = run(rewriter, List.of(chunk("Hi", null, false), "data: [DONE]\n\n", ""));

    ObjectNode first = (ObjectNode) out.chunks().get(0);
    assertThat(first.has("object")).isFalse();
    assertThat(first.path("kind").asText()).isEqualTo("chat.completion.chunk");
    assertThat(first.path("choices").get(0).has("finish_reason")).isFalse();
    assertThat(first.path("model").asText()).isEqualTo("gpt-4o-mini-2024-07-18");
  }
}
