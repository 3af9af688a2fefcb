package dev.tollgate.proc.inspect;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.core.policy.PolicySnapshot;
import dev.tollgate.inspect.tokens.TokenCounter;
import java.util.OptionalInt;

/**
 * The prompt's token count for requests no inspection policy counted, with the same extraction
 * and tokenizer choice as the inspector, so a budget reserves what inspection would have counted.
 */
public final class PromptTokenCount {
  private PromptTokenCount() {}

  /** @return the count, or empty when the body's prompt cannot be read (the provider will refuse it) */
  public static OptionalInt of(PolicySnapshot snapshot, String endpoint, String model, ObjectNode body) {
    if (PromptExtractor.extract(endpoint, body) instanceof PromptExtractor.Extracted extracted) {
      return OptionalInt.of(extracted.prompt().promptTokens(TokenCounter.shared(),
          RequestInspector.tokenizerModel(snapshot, model)));
    }
    return OptionalInt.empty();
  }
}
