package dev.tollgate.inspect.guard;

import dev.tollgate.core.config.PromptGuardConfig;
import dev.tollgate.inspect.PromptText;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One policy's prompt guard, compiled once per policy version and shared by every request that
 * policy applies to; thread-safe (it holds only immutable state).
 *
 * <p>Order of checks: message count and size limits, then for each text whose role is read
 * (see {@link PromptGuardConfig#roles()}; role-less texts always): allow patterns (a match exempts
 * that text from the rest), deny phrases and patterns, the injection detector. With action
 * {@code block} the first limit that fires ends the inspection, since the request is refused
 * anyway; with {@code flag} and {@code shadow} everything is read so the audit record is complete.
 */
public final class PromptGuard {
  private final GuardAction action;
  private final double threshold;
  private final boolean detectorOn;
  private final Set<String> roles;
  private final List<String> denyPhrases;
  private final List<Pattern> denyPatterns;
  private final List<String> allowPhrases;
  private final List<Pattern> allowPatterns;
  private final Integer maxPromptTokens;
  private final Integer maxPromptChars;
  private final Integer maxMessages;
  private final InjectionDetector detector;

  private PromptGuard(PromptGuardConfig config, InjectionDetector detector) {
    this.action = GuardAction.ofConfig(config.action());
    this.threshold = config.threshold();
    this.detectorOn = config.detector();
    this.roles = Set.copyOf(config.roles());
    this.denyPhrases = phrases(config.denyPhrases());
    this.denyPatterns = patterns(config.denyPatterns());
    this.allowPhrases = phrases(config.allowPhrases());
    this.allowPatterns = patterns(config.allowPatterns());
    this.maxPromptTokens = config.maxPromptTokens();
    this.maxPromptChars = config.maxPromptChars();
    this.maxMessages = config.maxMessages();
    this.detector = detector;
  }

  /**
   * Compiles a validated config (see {@code PromptGuardConfigValidator}).
   *
   * @throws IllegalArgumentException if the config was not validated and a pattern does not compile
   */
  public static PromptGuard compile(PromptGuardConfig config) {
    return new PromptGuard(config == null ? PromptGuardConfig.defaults() : config, InjectionDetector.standard());
  }

  public GuardVerdict inspect(PromptView prompt) {
    Set<String> reasons = new LinkedHashSet<>();
    Set<String> codes = new HashSet<>();
    if (maxMessages != null && prompt.messageCount() > maxMessages) {
      reasons.add("max_messages");
      codes.add(GuardVerdict.TOO_MANY_MESSAGES);
    }
    if (maxPromptTokens != null && prompt.promptTokens() > maxPromptTokens) {
      reasons.add("max_prompt_tokens");
      codes.add(GuardVerdict.PROMPT_TOO_LONG);
    }
    if (maxPromptChars != null && prompt.promptChars() > maxPromptChars) {
      reasons.add("max_prompt_chars");
      codes.add(GuardVerdict.PROMPT_TOO_LONG);
    }
    if (!codes.isEmpty() && action == GuardAction.BLOCK) {
      return verdict(codes, 0.0, reasons);
    }
    double score = 0.0;
    for (PromptText text : prompt.texts()) {
      if (text == null || text.text() == null || text.text().isEmpty() || !reads(text.role())) {
        continue;
      }
      String raw = text.text();
      NormalizedText normalizedText = NormalizedText.of(raw);
      String normalized = normalizedText.text();
      if (matchesAny(allowPhrases, allowPatterns, raw, normalized) >= 0) {
        continue;
      }
      int deniedPhrase = indexOfPhrase(denyPhrases, normalized);
      if (deniedPhrase >= 0) {
        reasons.add("deny_phrases[" + deniedPhrase + "]");
        codes.add(GuardVerdict.DENIED_PATTERN);
      }
      int deniedPattern = indexOfPattern(denyPatterns, raw, normalized, true);
      if (deniedPattern >= 0) {
        reasons.add("deny_patterns[" + deniedPattern + "]");
        codes.add(GuardVerdict.DENIED_PATTERN);
      }
      if (detectorOn) {
        DetectorResult result = detector.score(raw, normalizedText);
        score = Math.max(score, result.score());
        if (result.score() >= threshold) {
          codes.add(GuardVerdict.PROMPT_INJECTION);
          reasons.addAll(result.reasons());
        }
      }
    }
    return verdict(codes, score, reasons);
  }

  private GuardVerdict verdict(Set<String> codes, double score, Set<String> reasons) {
    for (String code : List.of(GuardVerdict.TOO_MANY_MESSAGES, GuardVerdict.PROMPT_TOO_LONG,
        GuardVerdict.DENIED_PATTERN, GuardVerdict.PROMPT_INJECTION)) {
      if (codes.contains(code)) {
        return new GuardVerdict(action, code, score, new ArrayList<>(reasons));
      }
    }
    return new GuardVerdict(GuardAction.ALLOW, GuardVerdict.NONE, score, List.of());
  }

  private boolean reads(String role) {
    return role == null || role.isEmpty() || roles.contains(role);
  }

  private static int matchesAny(List<String> phrases, List<Pattern> patterns, String raw, String normalized) {
    int phrase = indexOfPhrase(phrases, normalized);
    return phrase >= 0 ? phrase : indexOfPattern(patterns, raw, normalized, false);
  }

  private static int indexOfPhrase(List<String> phrases, String normalized) {
    for (int i = 0; i < phrases.size(); i++) {
      String phrase = phrases.get(i);
      if (!phrase.isEmpty() && normalized.contains(phrase)) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Patterns are tried on the text as sent and on its normalised form, so look-alikes cannot dodge
   * them. A pattern that runs past its budget (see {@link BoundedText}) counts as matching for deny
   * patterns and as not matching for allow patterns: a slow pattern fails closed.
   */
  private static int indexOfPattern(List<Pattern> patterns, String raw, String normalized, boolean onBudget) {
    for (int i = 0; i < patterns.size(); i++) {
      Pattern pattern = patterns.get(i);
      try {
        if (pattern.matcher(BoundedText.of(raw)).find() || pattern.matcher(BoundedText.of(normalized)).find()) {
          return i;
        }
      } catch (BoundedText.BudgetExceeded | StackOverflowError e) {
        if (onBudget) {
          return i;
        }
      }
    }
    return -1;
  }

  private static List<String> phrases(List<String> configured) {
    List<String> out = new ArrayList<>(configured.size());
    for (String phrase : configured) {
      out.add(NormalizedText.of(phrase).text());
    }
    return List.copyOf(out);
  }

  private static List<Pattern> patterns(List<String> configured) {
    List<Pattern> out = new ArrayList<>(configured.size());
    for (String pattern : configured) {
      out.add(Pattern.compile(pattern, Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE));
    }
    return List.copyOf(out);
  }
}
