package dev.tollgate.fakeprovider;

/**
 * The fake's token count: one token per four characters (Unicode code points), rounded up, at least
 * one. That is OpenAI's rule of thumb for English, not a tokenizer: it is deterministic, so tests can
 * predict {@code usage}, but it will not match tiktoken or jtokkit and tests must not expect it to.
 */
final class TokenEstimate {

  static final int CHARS_PER_TOKEN = 4;

  private TokenEstimate() {
  }

  static int of(String text) {
    int chars = text.codePointCount(0, text.length());
    return Math.max(1, (chars + CHARS_PER_TOKEN - 1) / CHARS_PER_TOKEN);
  }
}
