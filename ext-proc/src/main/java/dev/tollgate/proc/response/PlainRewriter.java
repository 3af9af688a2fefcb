package dev.tollgate.proc.response;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Rewrites one whole (buffered) response body: provider errors into OpenAI's shape, and on a
 * success the public model name, field rewrites, the PII transform of every choice's text and
 * tool-call arguments, and the usage headers.
 */
final class PlainRewriter {
  /**
   * @param body        the new body, or null when the body goes out unchanged
   * @param headers     headers to set on the response
   * @param usage       the provider's token counts, when the body had them
   * @param texts       the provider's text of each choice (before any transform) when the body
   *                    had no usage, for the budget to estimate the completion; else empty
   */
  record Result(byte[] body, Map<String, String> headers, Optional<TokenUsage> usage, String providerModel,
      List<String> texts) {
    Result(byte[] body, Map<String, String> headers, Optional<TokenUsage> usage, String providerModel) {
      this(body, headers, usage, providerModel, List.of());
    }
  }

  private final ResponsePlan plan;
  private final ObjectMapper json;

  PlainRewriter(ResponsePlan plan, ObjectMapper json) {
    this.plan = plan;
    this.json = json;
  }

  Result rewrite(int status, byte[] body) {
    Map<String, String> headers = new LinkedHashMap<>();
    if (status >= 400) {
      if (!plan.rewrite().normalizeErrors()) {
        return new Result(null, headers, Optional.empty(), null);
      }
      Optional<byte[]> normalized = ErrorBodies.normalize(status, body, json);
      if (normalized.isEmpty()) {
        return new Result(null, headers, Optional.empty(), null);
      }
      headers.put("content-type", "application/json");
      return new Result(normalized.get(), headers, Optional.empty(), null);
    }
    JsonNode tree;
    try {
      tree = json.readTree(body);
    } catch (IOException | RuntimeException e) {
      tree = null;
    }
    if (!(tree instanceof ObjectNode root)) {
      return new Result(null, headers, Optional.empty(), null); // not ours to understand; passes as sent
    }
    Optional<TokenUsage> usage = TokenUsage.read(root.get("usage"));
    List<String> texts = new ArrayList<>();
    if (usage.isEmpty()) {
      eachText(root, (holder, text) -> texts.add(text));
    }
    boolean changed = transformText(root);
    BodyRewrites rewrites = new BodyRewrites(plan.rewrite(), plan.publicModel());
    changed |= rewrites.apply(root);
    if (plan.rewrite().usageHeaders()) {
      usage.ifPresent(found -> {
        headers.put(UsageHeaders.PROMPT, Long.toString(found.promptTokens()));
        headers.put(UsageHeaders.COMPLETION, Long.toString(found.completionTokens()));
        headers.put(UsageHeaders.TOTAL, Long.toString(found.totalTokens()));
        headers.put(UsageHeaders.CACHED, Long.toString(found.cachedTokens()));
        headers.put(UsageHeaders.REASONING, Long.toString(found.reasoningTokens()));
      });
    }
    if (!changed) {
      return new Result(null, headers, usage, rewrites.providerModel(), texts);
    }
    try {
      return new Result(json.writeValueAsBytes(root), headers, usage, rewrites.providerModel(), texts);
    } catch (IOException e) {
      throw new IllegalStateException("a parsed tree always serialises", e);
    }
  }

  private boolean transformText(ObjectNode root) {
    if (plan.text() == null) {
      return false;
    }
    boolean[] changed = {false};
    eachText(root, (holder, text) -> {
      String out = plan.text().transform(text);
      if (!out.equals(text)) {
        holder.put(field(), out);
        changed[0] = true;
      }
    });
    return changed[0] | transformToolCalls(root);
  }

  /** Chat: the arguments of each message's {@code tool_calls[].function} and {@code function_call}. */
  private boolean transformToolCalls(ObjectNode root) {
    if (plan.completionsText() || !root.path("choices").isArray()) {
      return false;
    }
    boolean changed = false;
    for (JsonNode choice : root.get("choices")) {
      if (!(choice.get("message") instanceof ObjectNode message)) {
        continue;
      }
      for (ObjectNode function : ToolCalls.functions(message).values()) {
        String arguments = ToolCalls.arguments(function);
        if (arguments == null) {
          continue;
        }
        String out = ToolArgumentsStream.transformWhole(plan.text(), arguments);
        if (!out.equals(arguments)) {
          function.put("arguments", out);
          changed = true;
        }
      }
    }
    return changed;
  }

  private String field() {
    return plan.completionsText() ? "text" : "content";
  }

  /**
   * Each choice's text and the object holding it. Chat: {@code choices[i].message.content};
   * completions: {@code choices[i].text}.
   */
  private void eachText(ObjectNode root, java.util.function.BiConsumer<ObjectNode, String> action) {
    if (!root.path("choices").isArray()) {
      return;
    }
    for (JsonNode choice : root.get("choices")) {
      ObjectNode holder = plan.completionsText()
          ? (choice instanceof ObjectNode object ? object : null)
          : (choice.get("message") instanceof ObjectNode message ? message : null);
      JsonNode text = holder == null ? null : holder.get(field());
      if (text != null && text.isTextual()) {
        action.accept(holder, text.textValue());
      }
    }
  }
}
