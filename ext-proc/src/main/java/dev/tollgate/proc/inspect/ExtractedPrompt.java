package dev.tollgate.proc.inspect;

import dev.tollgate.inspect.PromptText;
import dev.tollgate.inspect.tokens.TokenCounter;
import java.util.List;

/**
 * Every user-controllable text of one request, with its place in the tree, plus what the token
 * count needs: the chat messages (role, name, texts) or, for completions and embeddings, the
 * number of inputs sent as token ids.
 *
 * @param chat true for chat completions: the count uses OpenAI's per-message framing
 * @param messageCount chat messages; 0 for completions and embeddings
 */
record ExtractedPrompt(List<PromptSlot> slots, boolean chat, List<TokenCounter.Message> messages,
    int messageCount, int tokenIds) {

  ExtractedPrompt {
    slots = List.copyOf(slots);
    messages = List.copyOf(messages);
  }

  List<PromptText> texts() {
    return slots.stream().map(PromptSlot::text).toList();
  }

  int chars() {
    int total = 0;
    for (PromptSlot slot : slots) {
      total += slot.text().text().length();
    }
    return total;
  }

  int promptTokens(TokenCounter counter, String model) {
    if (chat) {
      return counter.chat(model, messages);
    }
    return counter.plain(model, slots.stream().map(s -> s.text().text()).toList(), tokenIds);
  }
}
