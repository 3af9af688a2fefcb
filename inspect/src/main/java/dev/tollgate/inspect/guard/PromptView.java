package dev.tollgate.inspect.guard;

import dev.tollgate.inspect.PromptText;
import java.util.List;
import java.util.Objects;

/**
 * A request as the guard reads it. Built by the request path, which knows how to find every text
 * in the request JSON and counts tokens with the model's tokenizer.
 *
 * @param texts every user-controllable text of the request
 * @param messageCount number of messages (1 for endpoints without messages)
 * @param promptTokens prompt size in tokens, as the gateway counted it
 * @param promptChars prompt size in characters, over all texts
 */
public record PromptView(List<PromptText> texts, int messageCount, int promptTokens, int promptChars) {
  public PromptView {
    texts = texts == null ? List.of() : texts.stream().filter(Objects::nonNull).toList();
  }

  /** A view of the given texts, counting messages as texts and characters as their lengths. */
  public static PromptView of(List<PromptText> texts, int promptTokens) {
    int chars = 0;
    for (PromptText text : texts) {
      if (text == null) {
        continue;
      }
      chars += text.text() == null ? 0 : text.text().length();
    }
    return new PromptView(texts, texts.size(), promptTokens, chars);
  }
}
