package dev.tollgate.inspect.guard;

import java.util.List;

/**
 * How much one text looks like a prompt injection or jailbreak.
 *
 * @param score 0..1
 * @param reasons the families and signals that contributed, e.g. {@code instruction_override},
 *     {@code hidden_text}, {@code encoded_base64}, {@code classifier}; never text from the prompt
 */
public record DetectorResult(double score, List<String> reasons) {
  public DetectorResult {
    reasons = List.copyOf(reasons);
  }
}
