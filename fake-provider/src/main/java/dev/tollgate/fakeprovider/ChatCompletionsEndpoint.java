package dev.tollgate.fakeprovider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code POST /v1/chat/completions}, whole or streamed. Field order follows OpenAI's own responses
 * (see the recordings), because some clients and golden-file tests compare raw text.
 */
final class ChatCompletionsEndpoint implements Endpoint {

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private final FakeProviderSettings settings;

  ChatCompletionsEndpoint(FakeProviderSettings settings) {
    this.settings = settings;
  }

  @Override
  public Reply answer(ObjectNode body, String model) throws RequestRejected {
    JsonNode messages = messages(body);
    RequestOptions options = RequestOptions.read(body, "max_completion_tokens", "max_tokens");
    CannedReply reply = CannedReply.answering(settings.name(), lastUserText(messages), options.maxTokens());
    int promptTokens = TokenEstimate.of(allText(messages));
    ResponseIdentity identity = ResponseIdentity.mint("chatcmpl-", model);
    return options.stream()
        ? streamed(identity, reply, promptTokens, options.includeUsage())
        : new Reply.Json(200, whole(identity, reply, promptTokens));
  }

  /**
   * The answer under {@code x-fake-provider-behavior: tool-call}: function calls instead of text,
   * whole or streamed as OpenAI sends them (see {@link ToolCallReply}).
   */
  Reply toolCalls(ObjectNode body, String model) throws RequestRejected {
    JsonNode messages = messages(body);
    RequestOptions options = RequestOptions.read(body, "max_completion_tokens", "max_tokens");
    ToolCallReply reply = ToolCallReply.answering(body, lastUserText(messages), options.maxTokens());
    int promptTokens = TokenEstimate.of(allText(messages));
    ResponseIdentity identity = ResponseIdentity.mint("chatcmpl-", model);
    if (!options.stream()) {
      ObjectNode root = whole(identity, null, reply.finishReason(), reply.completionTokens(), promptTokens);
      ObjectNode message = (ObjectNode) root.at("/choices/0/message");
      JsonNode refusal = message.remove("refusal");
      JsonNode annotations = message.remove("annotations");
      ArrayNode calls = message.putArray("tool_calls"); // after content, as OpenAI writes it
      for (ToolCallReply.Call call : reply.calls()) {
        ObjectNode entry = calls.addObject();
        entry.put("id", call.id());
        entry.put("type", "function");
        entry.putObject("function").put("name", call.name()).put("arguments", call.arguments());
      }
      message.set("refusal", refusal);
      message.set("annotations", annotations);
      return new Reply.Json(200, root);
    }
    List<JsonNode> chunks = new ArrayList<>();
    for (int i = 0; i < reply.calls().size(); i++) {
      ToolCallReply.Call call = reply.calls().get(i);
      // The first chunk of each call names it; the arguments follow in small pieces.
      ObjectNode opening = JSON.objectNode();
      if (i == 0) {
        opening.put("role", "assistant");
        opening.putNull("content");
      }
      ObjectNode named = opening.putArray("tool_calls").addObject();
      named.put("index", i);
      named.put("id", call.id());
      named.put("type", "function");
      named.putObject("function").put("name", call.name()).put("arguments", "");
      if (i == 0) {
        opening.putNull("refusal");
      }
      chunks.add(chunk(identity, options.includeUsage(), opening, null));
      for (String piece : ToolCallReply.pieces(call.arguments())) {
        ObjectNode delta = JSON.objectNode();
        delta.putArray("tool_calls").addObject().put("index", i).putObject("function").put("arguments", piece);
        chunks.add(chunk(identity, options.includeUsage(), delta, null));
      }
    }
    finish(chunks, identity, options.includeUsage(), reply.finishReason(), promptTokens, reply.completionTokens());
    return new Reply.EventStream(chunks);
  }

  private static JsonNode messages(ObjectNode body) throws RequestRejected {
    JsonNode messages = body.get("messages");
    if (messages == null || messages.isNull()) {
      throw new RequestRejected(ApiError.missingParameter("messages"));
    }
    if (!messages.isArray()) {
      throw new RequestRejected(ApiError.invalidParameter("messages",
          "Invalid type for 'messages': expected an array, but got " + messages.getNodeType() + ".",
          "invalid_type"));
    }
    if (messages.isEmpty()) {
      throw new RequestRejected(ApiError.invalidParameter("messages",
          "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty"
              + " array instead.",
          "empty_array"));
    }
    return messages;
  }

  private ObjectNode whole(ResponseIdentity identity, CannedReply reply, int promptTokens) {
    return whole(identity, reply.text(), reply.finishReason(), reply.completionTokens(), promptTokens);
  }

  /** @param text the message's content; null for a message that only calls tools */
  private static ObjectNode whole(ResponseIdentity identity, String text, String finishReason, int completionTokens,
      int promptTokens) {
    ObjectNode root = JSON.objectNode();
    root.put("id", identity.id());
    root.put("object", "chat.completion");
    root.put("created", identity.created());
    root.put("model", identity.model());
    ObjectNode choice = root.putArray("choices").addObject();
    choice.put("index", 0);
    ObjectNode message = choice.putObject("message");
    message.put("role", "assistant");
    message.put("content", text);
    message.putNull("refusal");
    message.putArray("annotations");
    choice.putNull("logprobs");
    choice.put("finish_reason", finishReason);
    root.set("usage", usage(promptTokens, completionTokens));
    root.put("service_tier", "default");
    root.putNull("system_fingerprint");
    return root;
  }

  private Reply streamed(
      ResponseIdentity identity, CannedReply reply, int promptTokens, boolean includeUsage) {
    List<JsonNode> chunks = new ArrayList<>();
    ObjectNode opening = JSON.objectNode();
    opening.put("role", "assistant");
    opening.put("content", "");
    opening.putNull("refusal");
    chunks.add(chunk(identity, includeUsage, opening, null));
    for (String piece : reply.pieces(settings.streamChunks())) {
      chunks.add(chunk(identity, includeUsage, JSON.objectNode().put("content", piece), null));
    }
    finish(chunks, identity, includeUsage, reply.finishReason(), promptTokens, reply.completionTokens());
    return new Reply.EventStream(chunks);
  }

  /** The chunk with the finish reason, then the usage-only chunk when the request asked for it. */
  private static void finish(List<JsonNode> chunks, ResponseIdentity identity, boolean includeUsage,
      String finishReason, int promptTokens, int completionTokens) {
    chunks.add(chunk(identity, includeUsage, JSON.objectNode(), finishReason));
    if (includeUsage) {
      ObjectNode usageChunk = header(identity);
      usageChunk.putArray("choices");
      usageChunk.set("usage", usage(promptTokens, completionTokens));
      chunks.add(usageChunk);
    }
  }

  private static ObjectNode chunk(
      ResponseIdentity identity, boolean includeUsage, ObjectNode delta, String finishReason) {
    ObjectNode chunk = header(identity);
    ObjectNode choice = chunk.putArray("choices").addObject();
    choice.put("index", 0);
    choice.set("delta", delta);
    choice.put("finish_reason", finishReason);
    // With include_usage OpenAI puts an explicit null on every chunk but the last.
    if (includeUsage) {
      chunk.putNull("usage");
    }
    return chunk;
  }

  private static ObjectNode header(ResponseIdentity identity) {
    ObjectNode chunk = JSON.objectNode();
    chunk.put("id", identity.id());
    chunk.put("object", "chat.completion.chunk");
    chunk.put("created", identity.created());
    chunk.put("model", identity.model());
    chunk.put("service_tier", "default");
    chunk.putNull("system_fingerprint");
    return chunk;
  }

  private static ObjectNode usage(int promptTokens, int completionTokens) {
    ObjectNode usage = JSON.objectNode();
    usage.put("prompt_tokens", promptTokens);
    usage.put("completion_tokens", completionTokens);
    usage.put("total_tokens", promptTokens + completionTokens);
    usage.putObject("prompt_tokens_details").put("cached_tokens", 0).put("audio_tokens", 0);
    usage.putObject("completion_tokens_details")
        .put("reasoning_tokens", 0)
        .put("audio_tokens", 0)
        .put("accepted_prediction_tokens", 0)
        .put("rejected_prediction_tokens", 0);
    return usage;
  }

  /** The text of the last user message; empty when there is none. */
  private static String lastUserText(JsonNode messages) {
    for (int i = messages.size() - 1; i >= 0; i--) {
      if ("user".equals(messages.get(i).path("role").asText())) {
        return text(messages.get(i).path("content"));
      }
    }
    return "";
  }

  private static String allText(JsonNode messages) {
    StringBuilder all = new StringBuilder();
    messages.forEach(message -> all.append(text(message.path("content"))));
    return all.toString();
  }

  /** Content is either a string or a list of parts; only text parts count. */
  private static String text(JsonNode content) {
    if (content.isTextual()) {
      return content.asText();
    }
    StringBuilder text = new StringBuilder();
    if (content.isArray()) {
      content.forEach(part -> {
        if ("text".equals(part.path("type").asText())) {
          text.append(part.path("text").asText());
        }
      });
    }
    return text.toString();
  }
}
