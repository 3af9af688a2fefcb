package dev.tollgate.fakeprovider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * The fake's answer under {@code x-fake-provider-behavior: tool-call}: the model "calls tools"
 * instead of writing text. It echoes the tool calls of the request's last assistant message (name
 * and arguments each, in order: a parallel call when there are several), so a test can see what a
 * gateway did to arguments on the way up and on the way back; without one, it calls the first
 * declared tool (or {@code echo}) with {@code {"text": <last user text>}}.
 *
 * @param calls            the calls, arguments possibly cut short by a token limit
 * @param finishReason     {@code "tool_calls"}, or {@code "length"} when a token limit cut them
 * @param completionTokens {@link TokenEstimate} of all arguments
 */
record ToolCallReply(List<Call> calls, String finishReason, int completionTokens) {

  /** One function call; {@code id} as OpenAI writes it ({@code call_} and 24 characters). */
  record Call(String id, String name, String arguments) {}

  /** Arguments are streamed in pieces of this many code points, about a token each as OpenAI does. */
  static final int STREAM_PIECE = TokenEstimate.CHARS_PER_TOKEN;

  static ToolCallReply answering(ObjectNode body, String lastUserText, OptionalInt maxTokens) {
    List<Call> calls = new ArrayList<>();
    for (JsonNode call : lastAssistantCalls(body.path("messages"))) {
      JsonNode function = call.path("function");
      calls.add(new Call(id(), function.path("name").asText("echo"),
          function.path("arguments").asText("")));
    }
    if (calls.isEmpty()) {
      String name = body.path("tools").path(0).path("function").path("name").asText("echo");
      ObjectNode arguments = JsonNodeFactory.instance.objectNode().put("text", lastUserText);
      calls.add(new Call(id(), name, arguments.toString()));
    }
    int budget = maxTokens.isPresent() ? maxTokens.getAsInt() * TokenEstimate.CHARS_PER_TOKEN : Integer.MAX_VALUE;
    List<Call> kept = new ArrayList<>();
    boolean cut = false;
    int tokens = 0;
    for (Call call : calls) {
      int length = call.arguments().codePointCount(0, call.arguments().length());
      if (length > budget) {
        // As with text: cut at max * 4 characters, so the estimate of what was sent is the limit.
        String part = call.arguments().substring(0, call.arguments().offsetByCodePoints(0, Math.max(0, budget)));
        kept.add(new Call(call.id(), call.name(), part));
        tokens += part.isEmpty() ? 0 : TokenEstimate.of(part);
        cut = true;
        break;
      }
      kept.add(call);
      budget -= length;
      tokens += TokenEstimate.of(call.arguments());
    }
    return new ToolCallReply(kept, cut ? "length" : "tool_calls", Math.max(1, tokens));
  }

  /** The {@code tool_calls} of the last assistant message, or nothing. */
  private static List<JsonNode> lastAssistantCalls(JsonNode messages) {
    for (int i = messages.size() - 1; i >= 0; i--) {
      JsonNode message = messages.get(i);
      if ("assistant".equals(message.path("role").asText()) && message.path("tool_calls").isArray()) {
        List<JsonNode> calls = new ArrayList<>();
        message.path("tool_calls").forEach(calls::add);
        return calls;
      }
    }
    return List.of();
  }

  private static String id() {
    return ResponseIdentity.mint("call_", "").id().substring(0, 5 + 24);
  }

  /** The arguments in stream pieces, never splitting a code point. */
  static List<String> pieces(String arguments) {
    List<String> pieces = new ArrayList<>();
    int[] codePoints = arguments.codePoints().toArray();
    for (int from = 0; from < codePoints.length; from += STREAM_PIECE) {
      pieces.add(new String(codePoints, from, Math.min(STREAM_PIECE, codePoints.length - from)));
    }
    return pieces;
  }
}
