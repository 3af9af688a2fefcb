package dev.tollgate.proc.response;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/**
 * Token counts as the provider reported them in {@code usage}; the provider is the truth for
 * billing and limits, the gateway's own estimate is only for the request side.
 *
 * @param cachedTokens    {@code prompt_tokens_details.cached_tokens}, 0 when absent
 * @param reasoningTokens {@code completion_tokens_details.reasoning_tokens}, 0 when absent
 */
public record TokenUsage(long promptTokens, long completionTokens, long totalTokens, long cachedTokens,
    long reasoningTokens) {

  /** @return the counts of a {@code usage} object; empty when it is absent, null or not an object */
  public static Optional<TokenUsage> read(JsonNode usage) {
    if (usage == null || !usage.isObject()) {
      return Optional.empty();
    }
    long prompt = count(usage.get("prompt_tokens"));
    long completion = count(usage.get("completion_tokens"));
    JsonNode total = usage.get("total_tokens");
    return Optional.of(new TokenUsage(prompt, completion,
        total != null && total.canConvertToLong() ? Math.max(0, total.asLong()) : prompt + completion,
        count(usage.path("prompt_tokens_details").get("cached_tokens")),
        count(usage.path("completion_tokens_details").get("reasoning_tokens"))));
  }

  private static long count(JsonNode node) {
    return node != null && node.isIntegralNumber() && node.canConvertToLong() ? Math.max(0, node.asLong()) : 0;
  }
}
