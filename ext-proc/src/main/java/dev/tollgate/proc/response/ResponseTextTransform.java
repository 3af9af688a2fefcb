package dev.tollgate.proc.response;

/**
 * What the response side does to model output text (PII restore and masking). Null in a plan
 * means no transform: streams then pass with the least work. One per response.
 */
public interface ResponseTextTransform {
  /** A whole text of a plain response. */
  String transform(String text);

  /** One per streamed choice; holds back only what could still change. */
  ChoiceStream openChoice();

  /**
   * Values masked so far on this response, by entity type, over every whole text and every
   * stream opened (also streams cut before their end): for metrics and the audit record. Never
   * the values.
   */
  default java.util.Map<String, Integer> maskedCounts() {
    return java.util.Map.of();
  }

  interface ChoiceStream {
    /** @return the text that is safe to send now (maybe empty) */
    String accept(String delta);

    /** @return whatever is still held back, transformed; called once at the choice's end */
    String finish();
  }
}
