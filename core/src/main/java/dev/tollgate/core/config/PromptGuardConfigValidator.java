package dev.tollgate.core.config;

import java.util.List;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Checks one {@code prompt_guard:} section. Called by the inspection-policy validator with the
 * section's YAML path (e.g. {@code policies[0].prompt_guard}), so problems get file:line:column.
 */
public final class PromptGuardConfigValidator {
  /** Patterns are compiled per policy and run on every prompt; keep them to a readable size. */
  static final int MAX_PATTERN_LENGTH = 1000;

  private PromptGuardConfigValidator() {}

  /**
   * @param at YAML path of the section
   * @param problem receives (path, message) for each problem found; messages never repeat a pattern
   *     in full, only its index, since deny lists may name things an operator keeps private
   */
  public static void validate(String at, PromptGuardConfig config, BiConsumer<String, String> problem) {
    if (config == null) {
      return;
    }
    if (!PromptGuardConfig.ACTIONS.contains(config.action())) {
      problem.accept(at + ".action", "must be one of block, flag, shadow");
    }
    double threshold = config.threshold();
    if (!(threshold >= 0.0 && threshold <= 1.0)) {
      problem.accept(at + ".threshold", "must be between 0 and 1");
    }
    positive(at + ".max_prompt_tokens", config.maxPromptTokens(), problem);
    positive(at + ".max_prompt_chars", config.maxPromptChars(), problem);
    positive(at + ".max_messages", config.maxMessages(), problem);
    List<String> roles = config.roles();
    for (int i = 0; i < roles.size(); i++) {
      if (!PromptGuardConfig.KNOWN_ROLES.contains(roles.get(i))) {
        problem.accept(at + ".roles[" + i + "]",
            "unknown role; known: " + String.join(", ", PromptGuardConfig.KNOWN_ROLES));
      }
    }
    phrases(at + ".deny_phrases", config.denyPhrases(), problem);
    phrases(at + ".allow_phrases", config.allowPhrases(), problem);
    patterns(at + ".deny_patterns", config.denyPatterns(), problem);
    patterns(at + ".allow_patterns", config.allowPatterns(), problem);
  }

  private static void positive(String path, Integer value, BiConsumer<String, String> problem) {
    if (value != null && value < 1) {
      problem.accept(path, "must be at least 1 (leave it out for no limit)");
    }
  }

  private static void phrases(String at, List<String> list, BiConsumer<String, String> problem) {
    for (int i = 0; i < list.size(); i++) {
      String phrase = list.get(i);
      if (phrase == null || phrase.isBlank()) {
        problem.accept(at + "[" + i + "]", "empty phrase");
      } else if (phrase.length() > MAX_PATTERN_LENGTH) {
        problem.accept(at + "[" + i + "]", "longer than " + MAX_PATTERN_LENGTH + " characters");
      }
    }
  }

  private static void patterns(String at, List<String> list, BiConsumer<String, String> problem) {
    for (int i = 0; i < list.size(); i++) {
      String pattern = list.get(i);
      String path = at + "[" + i + "]";
      if (pattern == null || pattern.isEmpty()) {
        problem.accept(path, "empty pattern");
        continue;
      }
      if (pattern.length() > MAX_PATTERN_LENGTH) {
        problem.accept(path, "longer than " + MAX_PATTERN_LENGTH + " characters");
        continue;
      }
      try {
        Pattern compiled = Pattern.compile(pattern);
        if (compiled.matcher("").matches()) {
          problem.accept(path, "matches the empty text, so it would match every prompt");
        }
      } catch (PatternSyntaxException e) {
        problem.accept(path, "not a valid regular expression: " + e.getDescription()
            + " at index " + e.getIndex());
      }
    }
  }
}
