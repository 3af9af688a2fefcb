package dev.tollgate.inspect.tokens;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.EncodingType;
import java.util.List;

/**
 * Counts prompt tokens the way OpenAI bills them, with jtokkit's BPE tables. The tables are large
 * (o200k is 3.6 MB), so they are loaded once per process, on first use of each, and shared: jtokkit's
 * encodings are thread-safe.
 *
 * <p>Chat prompts follow OpenAI's published recipe ("How to count tokens with tiktoken"): every
 * message costs 3 tokens of framing plus its role, its text and, when named, its name plus 1; the
 * reply is primed with 3 more. Not counted: images, audio and files (billed by size, not text), tool
 * definitions, response formats. For those requests the count is a lower bound, and the provider's
 * {@code usage} stays the truth for metering.
 */
public final class TokenCounter {
  /** Framing tokens per chat message ({@code <|start|>role ... <|end|>}). */
  public static final int TOKENS_PER_MESSAGE = 3;
  /** A message's {@code name} costs one token beyond its text. */
  public static final int TOKENS_PER_NAME = 1;
  /** Every reply is primed with {@code <|start|>assistant<|message|>}. */
  public static final int REPLY_PRIMING = 3;
  /** The estimate for models without a known tokenizer: OpenAI's rule of thumb for English. */
  public static final int ESTIMATE_CHARS_PER_TOKEN = 4;

  private static final class Holder {
    // Lazily: a gateway without inspection policies never pays for the tables.
    static final EncodingRegistry REGISTRY = Encodings.newLazyEncodingRegistry();
  }

  private static final TokenCounter SHARED = new TokenCounter();

  private TokenCounter() {}

  /** The process's one counter. */
  public static TokenCounter shared() {
    return SHARED;
  }

  /** One chat message as counted: its role, optional name, and every text it carries. */
  public record Message(String role, String name, List<String> texts) {
    public Message {
      role = role == null ? "" : role;
      texts = List.copyOf(texts);
    }
  }

  /** Loads both tables now (about half a second cold), so no request waits for them. */
  public void warmUp() {
    encoding(EncodingType.O200K_BASE).countTokensOrdinary("warm up");
    encoding(EncodingType.CL100K_BASE).countTokensOrdinary("warm up");
  }

  /** Tokens of a text in the model's encoding (or the estimate). */
  public int count(String model, String text) {
    return count(TokenEncoding.of(model), text);
  }

  public int count(TokenEncoding encoding, String text) {
    if (text == null || text.isEmpty()) {
      return 0;
    }
    return switch (encoding) {
      case O200K_BASE -> encoding(EncodingType.O200K_BASE).countTokensOrdinary(text);
      case CL100K_BASE -> encoding(EncodingType.CL100K_BASE).countTokensOrdinary(text);
      case ESTIMATE -> {
        int chars = text.codePointCount(0, text.length());
        yield (chars + ESTIMATE_CHARS_PER_TOKEN - 1) / ESTIMATE_CHARS_PER_TOKEN;
      }
    };
  }

  /** A chat prompt: per-message framing, roles, names and texts, plus the reply priming. */
  public int chat(String model, List<Message> messages) {
    TokenEncoding encoding = TokenEncoding.of(model);
    int total = REPLY_PRIMING;
    for (Message message : messages) {
      total += TOKENS_PER_MESSAGE + count(encoding, message.role());
      if (message.name() != null && !message.name().isEmpty()) {
        total += count(encoding, message.name()) + TOKENS_PER_NAME;
      }
      for (String text : message.texts()) {
        total += count(encoding, text);
      }
    }
    return total;
  }

  /**
   * A completions prompt or embeddings input: the texts' tokens plus inputs the client sent as
   * token ids already, which count one each.
   */
  public int plain(String model, List<String> texts, int tokenIds) {
    TokenEncoding encoding = TokenEncoding.of(model);
    int total = tokenIds;
    for (String text : texts) {
      total += count(encoding, text);
    }
    return total;
  }

  private static Encoding encoding(EncodingType type) {
    return Holder.REGISTRY.getEncoding(type);
  }
}
