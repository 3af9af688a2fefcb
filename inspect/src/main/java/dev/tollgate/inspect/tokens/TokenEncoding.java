package dev.tollgate.inspect.tokens;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Which tokenizer a model family uses, as OpenAI publishes it (tiktoken's model table). Models
 * outside OpenAI's families (Llama, Mistral, ...) get {@link #ESTIMATE}: their tokenizers are not
 * BPE tables jtokkit ships, and a documented estimate beats a wrong exact-looking number.
 */
public enum TokenEncoding {
  /** gpt-4o, gpt-4.1, gpt-4.5, gpt-5, the o-series (o1, o3, o4...), chatgpt-4o, gpt-oss. */
  O200K_BASE,
  /** gpt-4, gpt-3.5, text-embedding-3 and ada-002 embeddings, babbage-002, davinci-002. */
  CL100K_BASE,
  /** Anything else: one token per four characters (code points), rounded up. */
  ESTIMATE;

  private static final Pattern O200K = Pattern.compile(
      "(gpt-4o|gpt-4\\.1|gpt-4\\.5|gpt-5|chatgpt-4o|gpt-oss|o\\d)([-.:@_].*)?");
  private static final Pattern CL100K = Pattern.compile(
      "(gpt-4|gpt-3\\.5|gpt-35|text-embedding-3|text-embedding-ada-002|babbage-002|davinci-002)([-.:@_].*)?");

  /**
   * The encoding of a model name. A provider prefix ({@code openai/gpt-4o}) and case are ignored;
   * only a name that starts with a known family counts, so {@code gpt-4o-mini-2024-07-18} is
   * o200k but {@code my-gpt-4o} is an estimate.
   */
  public static TokenEncoding of(String model) {
    if (model == null) {
      return ESTIMATE;
    }
    String name = model.toLowerCase(Locale.ROOT).strip();
    int slash = name.lastIndexOf('/');
    if (slash >= 0) {
      name = name.substring(slash + 1);
    }
    // o200k first: "gpt-4o" also starts with the cl100k family "gpt-4".
    if (O200K.matcher(name).matches()) {
      return O200K_BASE;
    }
    if (CL100K.matcher(name).matches()) {
      return CL100K_BASE;
    }
    return ESTIMATE;
  }
}
