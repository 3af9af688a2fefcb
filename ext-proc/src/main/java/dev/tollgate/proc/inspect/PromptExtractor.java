package dev.tollgate.proc.inspect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.core.openai.OpenAiError;
import dev.tollgate.inspect.PromptText;
import dev.tollgate.inspect.tokens.TokenCounter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Finds every text a client controls in a chat, completions or embeddings request, for the guard,
 * PII redaction and the token count.
 *
 * <p>Inspection must not be bypassable by shape: a text the inspectors cannot see must not reach
 * the provider either. So when a policy applies, a field that should carry text but has a shape
 * this class does not know (a content part of unknown type, a number where a string belongs) is
 * refused with 400 naming the field, instead of passing uninspected. Image, audio and file parts
 * are media, not text: they pass and are not inspected (documented in docs/INSPECTION.md).
 */
final class PromptExtractor {
  /** Content part types that carry no text; passed on as they are. */
  static final Set<String> MEDIA_PARTS = Set.of("image_url", "input_audio", "file");

  sealed interface Outcome {}

  record Extracted(ExtractedPrompt prompt) implements Outcome {}

  record Refused(OpenAiError error) implements Outcome {}

  private PromptExtractor() {}

  /** @param endpoint the request path: /v1/chat/completions, /v1/completions or /v1/embeddings */
  static Outcome extract(String endpoint, ObjectNode body) {
    try {
      return switch (endpoint) {
        case "/v1/chat/completions" -> new Extracted(chat(body));
        case "/v1/completions" -> new Extracted(plain(body, "prompt", true));
        case "/v1/embeddings" -> new Extracted(plain(body, "input", false));
        default -> new Extracted(new ExtractedPrompt(List.of(), false, List.of(), 0, 0));
      };
    } catch (Unreadable e) {
      return new Refused(OpenAiError.invalidRequest(e.getMessage(), e.param));
    }
  }

  private static ExtractedPrompt chat(ObjectNode body) {
    JsonNode messages = body.get("messages");
    if (messages == null || !messages.isArray()) {
      throw new Unreadable("'messages' must be an array of message objects.", "messages");
    }
    List<PromptSlot> slots = new ArrayList<>();
    List<TokenCounter.Message> counted = new ArrayList<>();
    for (int i = 0; i < messages.size(); i++) {
      String at = "messages[" + i + "]";
      if (!(messages.get(i) instanceof ObjectNode message)) {
        throw new Unreadable("'" + at + "' must be an object.", at);
      }
      String role = optionalString(message, "role", at);
      role = role == null ? "" : role;
      int first = slots.size();
      content(message, role, at, slots);
      toolCalls(message, role, at, slots);
      List<String> texts = new ArrayList<>();
      for (int s = first; s < slots.size(); s++) {
        texts.add(slots.get(s).text().text());
      }
      counted.add(new TokenCounter.Message(role, optionalString(message, "name", at), texts));
    }
    return new ExtractedPrompt(slots, true, counted, messages.size(), 0);
  }

  private static void content(ObjectNode message, String role, String at, List<PromptSlot> slots) {
    JsonNode content = message.get("content");
    if (content == null || content.isNull()) {
      return; // assistant messages with tool calls only; the provider decides if that is valid
    }
    if (content.isTextual()) {
      slots.add(PromptSlot.field(new PromptText(at + ".content", role, content.textValue()), message, "content"));
      return;
    }
    if (!(content instanceof ArrayNode parts)) {
      throw new Unreadable("'" + at + ".content' must be a string or an array of content parts.", at + ".content");
    }
    for (int p = 0; p < parts.size(); p++) {
      String partAt = at + ".content[" + p + "]";
      if (!(parts.get(p) instanceof ObjectNode part)) {
        throw new Unreadable("'" + partAt + "' must be a content part object.", partAt);
      }
      JsonNode type = part.get("type");
      if (type == null || !type.isTextual()) {
        throw new Unreadable("'" + partAt + ".type' must be a string.", partAt + ".type");
      }
      switch (type.textValue()) {
        case "text" -> textField(part, "text", role, partAt, slots, true);
        case "refusal" -> textField(part, "refusal", role, partAt, slots, true);
        default -> {
          if (!MEDIA_PARTS.contains(type.textValue())) {
            // Named, not echoed beyond the type: the client sees what the gateway cannot inspect.
            throw new Unreadable("Content part type '" + shorten(type.textValue()) + "' at '" + partAt
                + "' is not supported by this gateway's inspection policy; use text, image_url,"
                + " input_audio or file.", partAt + ".type");
          }
        }
      }
    }
  }

  private static void toolCalls(ObjectNode message, String role, String at, List<PromptSlot> slots) {
    JsonNode calls = message.get("tool_calls");
    if (calls != null && !calls.isNull()) {
      if (!calls.isArray()) {
        throw new Unreadable("'" + at + ".tool_calls' must be an array.", at + ".tool_calls");
      }
      for (int c = 0; c < calls.size(); c++) {
        String callAt = at + ".tool_calls[" + c + "]";
        JsonNode function = calls.get(c).get("function");
        if (function instanceof ObjectNode fn) {
          textField(fn, "arguments", role, callAt + ".function", slots, false);
        }
      }
    }
    // The deprecated single function call carries arguments the same way.
    if (message.get("function_call") instanceof ObjectNode fn) {
      textField(fn, "arguments", role, at + ".function_call", slots, false);
    }
  }

  private static ExtractedPrompt plain(ObjectNode body, String field, boolean completions) {
    List<PromptSlot> slots = new ArrayList<>();
    int tokenIds = 0;
    JsonNode input = body.get(field);
    if (input == null || input.isNull()) {
      return new ExtractedPrompt(slots, false, List.of(), 0, 0);
    }
    if (input.isTextual()) {
      slots.add(PromptSlot.field(new PromptText(field, "", input.textValue()), body, field));
    } else if (input instanceof ArrayNode items) {
      for (int i = 0; i < items.size(); i++) {
        JsonNode item = items.get(i);
        String at = field + "[" + i + "]";
        if (item.isTextual()) {
          slots.add(PromptSlot.element(new PromptText(at, "", item.textValue()), items, i));
        } else if (item.isIntegralNumber()) {
          tokenIds++;
        } else if (item.isArray() && allIntegers(item)) {
          tokenIds += item.size();
        } else {
          throw new Unreadable("'" + at + "' must be a string, a token id or an array of token ids.", at);
        }
      }
    } else {
      throw new Unreadable("'" + field + "' must be a string or an array.", field);
    }
    if (completions) {
      JsonNode suffix = body.get("suffix");
      if (suffix != null && suffix.isTextual()) {
        slots.add(PromptSlot.field(new PromptText("suffix", "", suffix.textValue()), body, "suffix"));
      }
    }
    return new ExtractedPrompt(slots, false, List.of(), 0, tokenIds);
  }

  private static void textField(ObjectNode node, String field, String role, String at, List<PromptSlot> slots,
      boolean required) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      if (required) {
        throw new Unreadable("'" + at + "." + field + "' must be a string.", at + "." + field);
      }
      return;
    }
    if (!value.isTextual()) {
      throw new Unreadable("'" + at + "." + field + "' must be a string.", at + "." + field);
    }
    slots.add(PromptSlot.field(new PromptText(at + "." + field, role, value.textValue()), node, field));
  }

  private static String optionalString(ObjectNode node, String field, String at) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isTextual()) {
      throw new Unreadable("'" + at + "." + field + "' must be a string.", at + "." + field);
    }
    return value.textValue();
  }

  private static boolean allIntegers(JsonNode array) {
    for (JsonNode item : array) {
      if (!item.isIntegralNumber()) {
        return false;
      }
    }
    return true;
  }

  private static String shorten(String text) {
    String printable = text.replaceAll("[^A-Za-z0-9_.-]", "?");
    return printable.length() <= 40 ? printable : printable.substring(0, 40) + "...";
  }

  private static final class Unreadable extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final String param;

    Unreadable(String message, String param) {
      super(message, null, false, false);
      this.param = param;
    }
  }
}
