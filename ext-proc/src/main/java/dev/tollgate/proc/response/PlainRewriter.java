package dev.tollgate.proc.response;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Rewrites one whole (buffered) response body: provider errors into OpenAI's shape, and on a
 * success the public model name, field rewrites, the PII transform of every choice's text, and
 * the usage headers.
 */
final class PlainRewriter {
  /**
   * @param body        the new body, or null when the body goes out unchanged
   * @param headers     headers to set on the response
   * @param usage       the provider's token counts, when the body had them
   */
  record Result(byte[] body, Map<String, String> headers, Optional<TokenUsage> usage, String providerModel) {}

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
      return new Result(null, headers, usage, rewrites.providerModel());
    }
    try {
      return new Result(json.writeValueAsBytes(root), headers, usage, rewrites.providerModel());
    } catch (IOException e) {
      throw new IllegalStateException("a parsed tree always serialises", e);
    }
  }

  /** Chat: {@code choices[i].message.content}; completions: {@code choices[i].text}. */
  private boolean transformText(ObjectNode root) {
    if (plan.text() == null || !root.path("choices").isArray()) {
      return false;
    }
    boolean changed = false;
    for (JsonNode choice : root.get("choices")) {
      ObjectNode holder = plan.completionsText()
          ? (choice instanceof ObjectNode object ? object : null)
          : (choice.get("message") instanceof ObjectNode message ? message : null);
      String field = plan.completionsText() ? "text" : "content";
      JsonNode text = holder == null ? null : holder.get(field);
      if (text != null && text.isTextual()) {
        String out = plan.text().transform(text.textValue());
        if (!out.equals(text.textValue())) {
          holder.put(field, out);
          changed = true;
        }
      }
    }
    return changed;
  }
}
