package dev.tollgate.inspect.guard;

import java.util.List;

/**
 * The guard's decision on one request.
 *
 * @param action what to do; {@link GuardAction#ALLOW} when nothing fired
 * @param reasonCode the most important thing that fired: {@code too_many_messages},
 *     {@code prompt_too_long}, {@code denied_pattern}, {@code prompt_injection}; {@code none} for ALLOW
 * @param score the highest detector score over the texts read, 0..1 (0 when the detector is off)
 * @param reasons named reasons, e.g. {@code max_prompt_tokens}, {@code deny_phrases[2]},
 *     {@code instruction_override}, {@code encoded_base64}; never any of the prompt's text
 */
public record GuardVerdict(GuardAction action, String reasonCode, double score, List<String> reasons) {
  public static final String NONE = "none";
  public static final String TOO_MANY_MESSAGES = "too_many_messages";
  public static final String PROMPT_TOO_LONG = "prompt_too_long";
  public static final String DENIED_PATTERN = "denied_pattern";
  public static final String PROMPT_INJECTION = "prompt_injection";

  public GuardVerdict {
    reasons = List.copyOf(reasons);
  }

  /** True when the request must not go upstream. */
  public boolean blocks() {
    return action == GuardAction.BLOCK;
  }
}
