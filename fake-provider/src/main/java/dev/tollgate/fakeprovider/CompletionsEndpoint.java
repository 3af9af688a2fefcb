package dev.tollgate.fakeprovider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code POST /v1/completions}, the legacy text completion, whole or streamed. A prompt array gives
 * one choice per prompt. Unlike the real API there is no default limit of 16 tokens: only an
 * explicit {@code max_tokens} cuts the reply.
 */
final class CompletionsEndpoint implements Endpoint {

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private final FakeProviderSettings settings;

  CompletionsEndpoint(FakeProviderSettings settings) {
    this.settings = settings;
  }

  @Override
  public Reply answer(ObjectNode body, String model) throws RequestRejected {
    List<String> prompts = TextInputs.read(body, "prompt");
    RequestOptions options = RequestOptions.read(body, "max_tokens");
    List<CannedReply> replies = new ArrayList<>();
    int promptTokens = 0;
    for (String prompt : prompts) {
      replies.add(CannedReply.answering(settings.name(), prompt, options.maxTokens()));
      promptTokens += TokenEstimate.of(prompt);
    }
    ResponseIdentity identity = ResponseIdentity.mint("cmpl-", model);
    return options.stream()
        ? streamed(identity, replies, promptTokens, options.includeUsage())
        : new Reply.Json(200, whole(identity, replies, promptTokens));
  }

  private static ObjectNode whole(ResponseIdentity identity, List<CannedReply> replies, int promptTokens) {
    ObjectNode root = header(identity);
    ArrayNode choices = root.putArray("choices");
    for (int i = 0; i < replies.size(); i++) {
      choice(choices, i, replies.get(i).text(), replies.get(i).finishReason());
    }
    root.put("model", identity.model());
    root.set("usage", usage(promptTokens, replies));
    return root;
  }

  private Reply streamed(
      ResponseIdentity identity, List<CannedReply> replies, int promptTokens, boolean includeUsage) {
    List<JsonNode> chunks = new ArrayList<>();
    for (int i = 0; i < replies.size(); i++) {
      List<String> pieces = replies.get(i).pieces(settings.streamChunks());
      for (int p = 0; p < pieces.size(); p++) {
        // Legacy completions carry the finish reason on the last text chunk, not on an empty one.
        boolean last = p == pieces.size() - 1;
        ObjectNode chunk = header(identity);
        choice(chunk.putArray("choices"), i, pieces.get(p), last ? replies.get(i).finishReason() : null);
        chunk.put("model", identity.model());
        if (includeUsage) {
          chunk.putNull("usage");
        }
        chunks.add(chunk);
      }
    }
    if (includeUsage) {
      ObjectNode usageChunk = header(identity);
      usageChunk.put("model", identity.model());
      usageChunk.set("usage", usage(promptTokens, replies));
      usageChunk.putArray("choices");
      chunks.add(usageChunk);
    }
    return new Reply.EventStream(chunks);
  }

  private static ObjectNode header(ResponseIdentity identity) {
    ObjectNode root = JSON.objectNode();
    root.put("id", identity.id());
    root.put("object", "text_completion");
    root.put("created", identity.created());
    return root;
  }

  private static void choice(ArrayNode choices, int index, String text, String finishReason) {
    ObjectNode choice = choices.addObject();
    choice.put("text", text);
    choice.put("index", index);
    choice.putNull("logprobs");
    choice.put("finish_reason", finishReason);
  }

  private static ObjectNode usage(int promptTokens, List<CannedReply> replies) {
    int completionTokens = replies.stream().mapToInt(CannedReply::completionTokens).sum();
    ObjectNode usage = JSON.objectNode();
    usage.put("prompt_tokens", promptTokens);
    usage.put("completion_tokens", completionTokens);
    usage.put("total_tokens", promptTokens + completionTokens);
    return usage;
  }
}
