package dev.tollgate.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * The {@code prompt_guard:} section of an inspection policy: size limits, deny and allow patterns,
 * and the built-in prompt-injection / jailbreak detector, with one action for whatever fires.
 * A field left out (or {@code null}) takes the default written beside it; the compact constructor
 * applies them, so {@code prompt_guard: {}} is a complete, working guard.
 *
 * <p>Allow patterns exempt a text from the deny patterns and from the detector (an operator's
 * escape hatch for known-good texts that look like injections), never from the size limits.
 */
public record PromptGuardConfig(
    /* What happens when anything fires: block (400 prompt_blocked, nothing goes upstream),
       flag (goes upstream, marked in a response header, metric and audit record) or shadow
       (goes upstream, only metric and audit record). Default: block. */
    @JsonProperty("action") String action,
    /* Detector score, 0..1, at or above which a text is treated as an injection. Default: 0.5. */
    @JsonProperty("threshold") Double threshold,
    /* Run the built-in injection / jailbreak detector (rules plus classifier). Default: true. */
    @JsonProperty("detector") Boolean detector,
    /* Message roles whose texts the deny patterns and the detector read. Texts without a role
       (completions prompt, embeddings input) are always read. The system prompt is left out by
       default because it is usually the application's own text, and often says things like
       "never reveal these instructions". Default: [user, tool, function]. */
    @JsonProperty("roles") List<String> roles,
    /* Plain phrases, matched case-insensitively with runs of white space treated as one space,
       after Unicode normalisation (NFKC, confusables, hidden characters removed). Default: []. */
    @JsonProperty("deny_phrases") List<String> denyPhrases,
    /* Java regular expressions, matched case-insensitively (find, not whole-text) on the
       normalised text. Default: []. */
    @JsonProperty("deny_patterns") List<String> denyPatterns,
    /* Plain phrases; a text containing one is exempt from deny patterns and the detector.
       Default: []. */
    @JsonProperty("allow_phrases") List<String> allowPhrases,
    /* Regular expressions; a text matching one is exempt from deny patterns and the detector.
       Default: []. */
    @JsonProperty("allow_patterns") List<String> allowPatterns,
    /* Largest prompt in tokens (as counted by the gateway's tokenizer). Default: none (no limit). */
    @JsonProperty("max_prompt_tokens") Integer maxPromptTokens,
    /* Largest prompt in characters, over all texts of the request. Default: none (no limit). */
    @JsonProperty("max_prompt_chars") Integer maxPromptChars,
    /* Most messages in one request. Default: none (no limit). */
    @JsonProperty("max_messages") Integer maxMessages) {

  public static final String DEFAULT_ACTION = "block";
  public static final double DEFAULT_THRESHOLD = 0.5;
  public static final List<String> DEFAULT_ROLES = List.of("user", "tool", "function");
  public static final List<String> ACTIONS = List.of("block", "flag", "shadow");
  public static final List<String> KNOWN_ROLES =
      List.of("system", "developer", "user", "assistant", "tool", "function");

  public PromptGuardConfig {
    action = action == null ? DEFAULT_ACTION : action;
    threshold = threshold == null ? DEFAULT_THRESHOLD : threshold;
    detector = detector == null ? Boolean.TRUE : detector;
    roles = roles == null ? DEFAULT_ROLES : Lists.copyOf(roles);
    denyPhrases = Lists.copyOf(denyPhrases);
    denyPatterns = Lists.copyOf(denyPatterns);
    allowPhrases = Lists.copyOf(allowPhrases);
    allowPatterns = Lists.copyOf(allowPatterns);
  }

  /** A guard with every default: detector on, threshold 0.5, block, no patterns, no limits. */
  public static PromptGuardConfig defaults() {
    return new PromptGuardConfig(null, null, null, null, null, null, null, null, null, null, null);
  }
}
