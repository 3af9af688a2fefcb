package dev.tollgate.proc.budget;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * How many completion tokens a request may produce, as its body says.
 *
 * @param perChoice the client's max_completion_tokens / max_tokens, or the default cap
 * @param choices {@code n}, 1 when absent
 * @param clampable the client gave no limit: the gateway picks one and writes it into {@code field}
 * @param field the field the client's limit came from, or where the gateway's cap goes; null for
 *     embeddings, which produce no completion
 */
record CompletionAsk(long perChoice, int choices, boolean clampable, String field) {
  static final int MAX_CHOICES = 128;
  /** OpenAI's default max_tokens for legacy completions: a client that gives none expects it. */
  static final int COMPLETIONS_DEFAULT = 16;

  static final class Invalid extends Exception {
    final String param;

    Invalid(String message, String param) {
      super(message);
      this.param = param;
    }
  }

  static CompletionAsk of(String endpoint, ObjectNode body, int defaultCap) throws Invalid {
    if ("/v1/embeddings".equals(endpoint)) {
      return new CompletionAsk(0, 1, false, null);
    }
    boolean chat = "/v1/chat/completions".equals(endpoint);
    int choices = (int) positive(body, "n", MAX_CHOICES, 1);
    long asked = chat ? positive(body, "max_completion_tokens", Integer.MAX_VALUE, -1) : -1;
    if (asked >= 0) {
      return new CompletionAsk(asked, choices, false, "max_completion_tokens");
    }
    asked = positive(body, "max_tokens", Integer.MAX_VALUE, -1);
    if (asked >= 0) {
      return new CompletionAsk(asked, choices, false, "max_tokens");
    }
    return new CompletionAsk(chat ? defaultCap : Math.min(defaultCap, COMPLETIONS_DEFAULT), choices, true,
        chat ? "max_completion_tokens" : "max_tokens");
  }

  private static long positive(ObjectNode body, String field, long max, long absent) throws Invalid {
    JsonNode node = body.get(field);
    if (node == null || node.isNull()) {
      return absent;
    }
    if (!node.isIntegralNumber() || !node.canConvertToLong() || node.asLong() < 1 || node.asLong() > max) {
      throw new Invalid("'" + field + "' must be an integer between 1 and " + max + ".", field);
    }
    return node.asLong();
  }
}
