package dev.tollgate.proc.response;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.core.config.PiiConfig;
import dev.tollgate.core.config.ResponseRewriteConfig;
import dev.tollgate.inspect.pii.PiiEngine;
import dev.tollgate.inspect.pii.Pseudonyms;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Model-generated tool-call arguments on the response side: restored and masked like the content,
 * plain and streamed (per tool-call index, held back and flushed), and counted by the budget's cap.
 */
class ToolCallsRewriteTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final PiiEngine ENGINE = PiiEngine.compile(new PiiConfig(null, null, null,
      Map.of("EMAIL", "mask"), null));

  /** Pseudonyms of a request that sent jane.doe@example.com (placeholder EMAIL_1). */
  private static Pseudonyms jane() {
    Pseudonyms pseudonyms = new Pseudonyms();
    assertThat(ENGINE.redactRequest("jane.doe@example.com", pseudonyms).text()).isEqualTo("<EMAIL_1>");
    return pseudonyms;
  }

  private static ResponsePlan plan(boolean stream, ResponseTextTransform text) {
    return new ResponsePlan("/v1/chat/completions", "gpt-4o-mini", stream, UsageOptions.StreamUsage.NOT_STREAMED,
        ResponseRewriteConfig.DEFAULTS, text, System.nanoTime(), 1 << 20);
  }

  /** A chunk whose delta carries these tool-call entries (JSON objects), as OpenAI streams them. */
  private static String toolChunk(String calls, String finish) {
    return "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,"
        + "\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":"
        + (calls == null ? "{}" : "{\"tool_calls\":[" + calls + "]}")
        + ",\"finish_reason\":" + (finish == null ? "null" : "\"" + finish + "\"") + "}]}\n\n";
  }

  private static String opening(int index, String name) {
    return "{\"index\":" + index + ",\"id\":\"call_" + index + "\",\"type\":\"function\",\"function\":{\"name\":\""
        + name + "\",\"arguments\":\"\"}}";
  }

  private static String fragment(int index, String arguments) {
    return "{\"index\":" + index + ",\"function\":{\"arguments\":" + JSON.valueToTree(arguments) + "}}";
  }

  /** The arguments each tool call adds up to, by index, as a client's accumulator joins them. */
  private static Map<Integer, String> arguments(String sse) throws Exception {
    Map<Integer, String> calls = new TreeMap<>();
    for (String block : sse.split("\n\n")) {
      if (!block.startsWith("data: {")) {
        continue;
      }
      for (JsonNode call : JSON.readTree(block.substring(6)).path("choices").path(0).path("delta").path("tool_calls")) {
        calls.merge(call.path("index").asInt(), call.path("function").path("arguments").asText(""), String::concat);
      }
    }
    return calls;
  }

  private static String run(StreamRewriter rewriter, List<String> events) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < events.size(); i++) {
      out.append(rewriter.accept(com.google.protobuf.ByteString.copyFromUtf8(events.get(i)), i == events.size() - 1)
          .toStringUtf8());
    }
    return out.toString();
  }

  @Test
  void aPlainAnswersToolCallArgumentsAreRestoredAndMaskedAsValidJson() throws Exception {
    ResponseTextTransform transform = PiiTextTransform.of(ENGINE, jane());
    String body = "{\"id\":\"c1\",\"object\":\"chat.completion\",\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,"
        + "\"message\":{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_1\",\"type\":\"function\","
        + "\"function\":{\"name\":\"send\",\"arguments\":\"{\\\"to\\\":\\\"<EMAIL_1>\\\",\\\"cc\\\":\\\"boss@corp.example\\\"}\"}}],"
        + "\"function_call\":{\"name\":\"old\",\"arguments\":\"{\\\"to\\\":\\\"<EMAIL_1>\\\"}\"}},"
        + "\"finish_reason\":\"tool_calls\"}]}";

    PlainRewriter.Result result = new PlainRewriter(plan(false, transform), JSON).rewrite(200, body.getBytes());

    JsonNode message = JSON.readTree(result.body()).path("choices").path(0).path("message");
    JsonNode arguments = JSON.readTree(message.path("tool_calls").path(0).path("function").path("arguments").asText());
    assertThat(arguments.path("to").asText()).isEqualTo("jane.doe@example.com");
    assertThat(arguments.path("cc").asText()).isEqualTo("[EMAIL]");
    assertThat(JSON.readTree(message.path("function_call").path("arguments").asText()).path("to").asText())
        .isEqualTo("jane.doe@example.com");
    assertThat(message.path("content").isNull()).isTrue();
    assertThat(transform.maskedCounts()).isEqualTo(Map.of("EMAIL", 1));
  }

  @Test
  void parallelStreamedToolCallsAreRestoredPerIndexWithThePlaceholderCutAnywhere() throws Exception {
    String first = "{\"to\":\"<EMAIL_1>\",\"cc\":\"boss@corp.example\"}";
    String second = "{\"who\":\"<EMAIL_1>\"}";
    for (int cut = 1; cut < first.length(); cut++) {
      ResponseTextTransform transform = PiiTextTransform.of(ENGINE, jane());
      StreamRewriter rewriter = new StreamRewriter(plan(true, transform), JSON);
      int cut2 = cut % second.length();
      // Call 0 starts, call 1 starts before call 0 ends: each index holds back on its own.
      String out = run(rewriter, List.of(toolChunk(opening(0, "send"), null),
          toolChunk(fragment(0, first.substring(0, cut)), null), toolChunk(opening(1, "lookup"), null),
          toolChunk(fragment(1, second.substring(0, cut2)), null),
          toolChunk(fragment(0, first.substring(cut)) + "," + fragment(1, second.substring(cut2)), null),
          toolChunk(null, "tool_calls"), "data: [DONE]\n\n", ""));

      Map<Integer, String> calls = arguments(out);
      assertThat(JSON.readTree(calls.get(0)).path("to").asText()).as("cut %d", cut).isEqualTo("jane.doe@example.com");
      assertThat(JSON.readTree(calls.get(0)).path("cc").asText()).isEqualTo("[EMAIL]");
      assertThat(JSON.readTree(calls.get(1)).path("who").asText()).isEqualTo("jane.doe@example.com");
      assertThat(out).doesNotContain("EMAIL_1", "boss@").endsWith("data: [DONE]\n\n");
      assertThat(transform.maskedCounts()).isEqualTo(Map.of("EMAIL", 1));
    }
  }

  @Test
  void argumentsHeldBackWhenTheStreamEndsAreFlushedBeforeDoneOrAtATruncatedEnd() throws Exception {
    for (boolean done : new boolean[] {true, false}) {
      StreamRewriter rewriter = new StreamRewriter(plan(true, PiiTextTransform.of(ENGINE, jane())), JSON);
      List<String> events = new ArrayList<>(List.of(toolChunk(opening(0, "send"), null),
          toolChunk(fragment(0, "{\"to\":\"<EMAIL_1>, bob@corp"), null)));
      events.add(done ? "data: [DONE]\n\n" : "");
      events.add("");
      String out = run(rewriter, events);
      // "bob@corp" might still grow into an address: held back until the stream's end says it will not.
      assertThat(arguments(out).get(0)).as("done %s", done).isEqualTo("{\"to\":\"jane.doe@example.com, bob@corp");
      assertThat(out.endsWith("data: [DONE]\n\n")).isEqualTo(done);
    }
  }

  @Test
  void theBudgetCapCountsToolCallArgumentsAndCutsARunawayStream() throws Exception {
    List<String> offered = new ArrayList<>();
    StreamRewriter rewriter = new StreamRewriter(plan(true, null), JSON);
    rewriter.cap(text -> {
      offered.add(text);
      return offered.stream().mapToInt(String::length).sum() <= 40;
    });
    List<String> events = new ArrayList<>(List.of(toolChunk(opening(0, "write"), null)));
    for (int i = 0; i < 100; i++) {
      events.add(toolChunk(fragment(0, i == 0 ? "{\"text\":\"" : "word "), null));
    }
    events.add(toolChunk(null, "tool_calls"));
    events.add("data: [DONE]\n\n");
    String out = run(rewriter, events);

    assertThat(rewriter.cut()).isTrue();
    assertThat(arguments(out).get(0)).startsWith("{\"text\":\"word ").hasSizeLessThanOrEqualTo(40);
    List<JsonNode> chunks = new ArrayList<>();
    for (String block : out.split("\n\n")) {
      if (block.startsWith("data: {")) {
        chunks.add(JSON.readTree(block.substring(6)));
      }
    }
    ObjectNode last = (ObjectNode) chunks.get(chunks.size() - 1);
    assertThat(last.path("choices").path(0).path("finish_reason").asText()).isEqualTo("length");
    assertThat(out).endsWith("data: [DONE]\n\n");
    assertThat(out.indexOf("[DONE]")).isEqualTo(out.lastIndexOf("[DONE]"));
  }
}
