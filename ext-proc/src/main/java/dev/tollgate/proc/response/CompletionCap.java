package dev.tollgate.proc.response;

/**
 * A bound on the completion text a stream may deliver (the budget's reservation). The stream
 * rewriter offers it every piece of text before sending it; when the cap refuses one, the stream
 * ends there as OpenAI ends a stream at max_tokens: a last chunk with {@code finish_reason:
 * "length"}, then {@code data: [DONE]}, and nothing more of what the provider sends.
 */
public interface CompletionCap {
  CompletionCap NONE = text -> true;

  /** @return false when sending this text would run past the cap: the stream is cut before it */
  boolean admit(String text);

  /**
   * The provider's text of one choice of a plain (not streamed) 2xx answer that reported no
   * usage: it goes out whole, so it is only counted, for the charge. Ignored by default.
   */
  default void answered(String text) {}
}
