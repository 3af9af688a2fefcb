package dev.tollgate.fakeprovider;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * The fake's deterministic answer: {@code "Hello from <name>. You said: <first 64 characters>"}.
 * Echoing the input lets a test see that a prompt survived (or was redacted by) the gateway.
 *
 * @param text             the reply, possibly cut short by a token limit
 * @param finishReason     {@code "stop"}, or {@code "length"} when a token limit cut the reply
 * @param completionTokens {@link TokenEstimate} of {@code text}
 */
record CannedReply(String text, String finishReason, int completionTokens) {

  private static final int ECHOED_CHARS = 64;

  static CannedReply answering(String providerName, String userText, OptionalInt maxTokens) {
    String full = "Hello from " + providerName + ". You said: " + firstCodePoints(userText, ECHOED_CHARS);
    if (maxTokens.isPresent() && TokenEstimate.of(full) > maxTokens.getAsInt()) {
      // Cutting at max * 4 characters makes the estimate of the cut text exactly max, as with a real model.
      String cut = firstCodePoints(full, maxTokens.getAsInt() * TokenEstimate.CHARS_PER_TOKEN);
      return new CannedReply(cut, "length", TokenEstimate.of(cut));
    }
    return new CannedReply(full, "stop", TokenEstimate.of(full));
  }

  /**
   * The text in exactly {@code count} pieces of near-equal length that concatenate back to it. When
   * count exceeds the text's length some pieces are empty: the count is the contract tests rely on.
   */
  List<String> pieces(int count) {
    int[] codePoints = text.codePoints().toArray();
    List<String> pieces = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      int from = (int) ((long) codePoints.length * i / count);
      int to = (int) ((long) codePoints.length * (i + 1) / count);
      pieces.add(new String(codePoints, from, to - from));
    }
    return pieces;
  }

  private static String firstCodePoints(String text, int limit) {
    if (text.codePointCount(0, text.length()) <= limit) {
      return text;
    }
    // Counting code points, not chars, so an emoji is never split into half a surrogate pair.
    return text.substring(0, text.offsetByCodePoints(0, limit));
  }
}
