package dev.tollgate.inspect.guard;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The built-in prompt-injection / jailbreak detector: hand-written rules by family, signals for
 * hidden text and look-alike letters, encoded payloads decoded and read again, and a statistical
 * classifier, combined into one score. Stateless and thread-safe; one instance serves every policy.
 *
 * <p>Scores combine as independent evidence (noisy-OR): within a family the strongest rule counts,
 * across families and the classifier {@code 1 - Π(1 - s)}. A lone weak signal stays below the
 * default threshold 0.5; two independent ones, or one strong one, pass it.
 */
public final class InjectionDetector {
  static final String HIDDEN_TEXT = "hidden_text";
  static final String HOMOGLYPHS = "homoglyphs";
  static final String CLASSIFIER = "classifier";
  /** A signal below this is not named among the reasons. */
  private static final double REASON_FLOOR = 0.25;
  private static final int MAX_DEPTH = 2;
  /**
   * The detector reads at most this much of one text, from its start and its end: scanning costs
   * time in proportion to length, and a request body may be megabytes. What lies between is not
   * read by the detector (deny and allow patterns still read all of it); see docs/GUARD.md.
   */
  static final int HEAD_CHARS = 96 * 1024;
  static final int TAIL_CHARS = 32 * 1024;
  /** The classifier's probability counts in full from this many words on; see classifierEvidence. */
  static final int FULL_EVIDENCE_WORDS = 30;

  private static final InjectionDetector INSTANCE = new InjectionDetector(GuardClassifier.bundled());

  /** Null only for the evaluation's "rules alone" comparison. */
  private final GuardClassifier classifier;

  InjectionDetector(GuardClassifier classifier) {
    this.classifier = classifier;
  }

  /** The detector with the classifier model shipped in this module. */
  public static InjectionDetector standard() {
    return INSTANCE;
  }

  public DetectorResult score(String text) {
    String raw = readable(text == null ? "" : text);
    return score(raw, NormalizedText.of(raw));
  }

  /**
   * As {@link #score(String)}, for a caller that has normalised the text already; a text longer
   * than {@link #HEAD_CHARS} + {@link #TAIL_CHARS} is cut and normalised again here.
   */
  DetectorResult score(String raw, NormalizedText normalized) {
    String read = readable(raw);
    Map<String, Double> signals = new LinkedHashMap<>();
    collect(read, read == raw ? normalized : NormalizedText.of(read), signals);
    double keep = 1.0;
    List<String> reasons = new ArrayList<>();
    for (Map.Entry<String, Double> signal : signals.entrySet()) {
      keep *= 1.0 - signal.getValue();
      if (signal.getValue() >= REASON_FLOOR) {
        reasons.add(signal.getKey());
      }
    }
    return new DetectorResult(1.0 - keep, reasons);
  }

  private void collect(String raw, NormalizedText normalized, Map<String, Double> signals) {
    collectRules(normalized, raw, 0, signals);
    if (classifier != null) {
      strongest(signals, CLASSIFIER, classifierEvidence(normalized.text()));
    }
  }

  /** The text itself, or its head and tail when it is longer than the detector reads. */
  private static String readable(String raw) {
    if (raw.length() <= HEAD_CHARS + TAIL_CHARS + 1) { // + 1: a cut text (with its newline) is not cut again
      return raw;
    }
    int head = HEAD_CHARS;
    int tail = raw.length() - TAIL_CHARS;
    if (Character.isHighSurrogate(raw.charAt(head - 1))) {
      head--; // never split a surrogate pair
    }
    if (Character.isLowSurrogate(raw.charAt(tail))) {
      tail++;
    }
    return raw.substring(0, head) + "\n" + raw.substring(tail);
  }

  /**
   * The classifier's probability, trusted in proportion to how much text it had to go on, up to
   * {@link #FULL_EVIDENCE_WORDS} words. Its training positives are mostly long jailbreaks, so on a
   * one-line instruction ("from now on answer only yes or no", "respond like Shakespeare") its
   * probability says more about phrasing than intent; short injections are left to the rules.
   */
  private double classifierEvidence(String normalized) {
    if (normalized.isEmpty()) {
      return 0.0;
    }
    int words = 1;
    for (int i = 0; i < normalized.length() && words < FULL_EVIDENCE_WORDS; i++) {
      if (normalized.charAt(i) == ' ') {
        words++;
      }
    }
    return classifier.probability(normalized) * Math.min(1.0, (double) words / FULL_EVIDENCE_WORDS);
  }

  private void collectRules(NormalizedText normalized, String raw, int depth, Map<String, Double> signals) {
    String text = normalized.text();
    long candidates = InjectionRules.TRIGGERS.scan(text);
    List<InjectionRules.Rule> rules = InjectionRules.RULES;
    for (int i = 0; candidates != 0 && i < rules.size(); i++) {
      if ((candidates & (1L << i)) == 0) {
        continue;
      }
      InjectionRules.Rule rule = rules.get(i);
      Double current = signals.get(rule.family());
      if ((current == null || current < rule.weight()) && rule.pattern().matcher(text).find()) {
        strongest(signals, rule.family(), rule.weight());
      }
    }
    if (normalized.hiddenChars() >= 2) {
      strongest(signals, HIDDEN_TEXT, Math.min(0.45, 0.15 * normalized.hiddenChars()));
    }
    if (normalized.homoglyphs() >= 2) {
      strongest(signals, HOMOGLYPHS, Math.min(0.45, 0.15 * normalized.homoglyphs()));
    }
    if (depth >= MAX_DEPTH) {
      return;
    }
    if (!normalized.tagPayload().isEmpty()) {
      // Tag characters render as nothing at all: any text spelled in them is hidden on purpose.
      strongest(signals, HIDDEN_TEXT, 0.6);
      hidden(normalized.tagPayload(), HIDDEN_TEXT, depth, signals);
    }
    for (EncodedPayloads.Payload payload : EncodedPayloads.find(raw)) {
      hidden(payload.text(), payload.encoding(), depth, signals);
    }
  }

  /**
   * Reads a hidden or decoded text with the rules; what it says counts under its own families, and
   * hiding it counts too, since plain requests have no reason to encode instructions.
   */
  private void hidden(String payload, String how, int depth, Map<String, Double> signals) {
    Map<String, Double> inner = new LinkedHashMap<>();
    collectRules(NormalizedText.of(payload), payload, depth + 1, inner);
    double strongest = 0;
    for (Map.Entry<String, Double> signal : inner.entrySet()) {
      strongest(signals, signal.getKey(), signal.getValue());
      strongest = Math.max(strongest, signal.getValue());
    }
    if (strongest >= REASON_FLOOR) {
      strongest(signals, how, Math.min(0.6, strongest));
    }
  }

  private static void strongest(Map<String, Double> signals, String name, double value) {
    if (value > 0) {
      signals.merge(name, value, Math::max);
    }
  }
}
