package dev.tollgate.inspect.guard;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tollgate.core.config.PromptGuardConfig;
import dev.tollgate.inspect.PromptText;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;

/**
 * The injection detector, and a guard with deny and allow patterns, on arbitrary text (decoded
 * from the fuzzer's bytes as UTF-8, so broken surrogates, tag characters and any code point come
 * through). The detector never throws, its score is a number in 0..1, its reasons come from the
 * fixed set of names (never text from the input), and the guard's verdict is consistent with it.
 *
 * <p>In {@code mvn verify} this replays the seeds in
 * {@code src/test/resources/dev/tollgate/inspect/guard/InjectionDetectorFuzzTestInputs/detectorAlwaysScores/};
 * with {@code JAZZER_FUZZ=1} (see {@code bench/fuzz.sh}) it fuzzes, starting from them.
 */
class InjectionDetectorFuzzTest {
  private static final Set<String> REASONS = Set.of(InjectionRules.INSTRUCTION_OVERRIDE,
      InjectionRules.PERSONA_JAILBREAK, InjectionRules.SYSTEM_PROMPT_EXTRACTION, InjectionDetector.HIDDEN_TEXT,
      InjectionDetector.HOMOGLYPHS, InjectionDetector.CLASSIFIER, EncodedPayloads.BASE64, EncodedPayloads.HEX,
      EncodedPayloads.URL);
  private static final PromptGuard GUARD = PromptGuard.compile(new PromptGuardConfig("flag", null, null, null,
      List.of("project falcon"), List.of("cve-\\d{4}-\\d+"), List.of("red-team drill"), List.of("^\\[qa\\]"),
      null, null, null));

  /** See ConfigLoaderFuzzTest: no bug-detector hooks when only replaying seeds. */
  @BeforeAll
  static void noBugDetectorHooksInRegressionMode() {
    if (System.getenv("JAZZER_FUZZ") == null && System.getProperty("JAZZER_FUZZ") == null
        && System.getProperty("jazzer.hooks") == null) {
      System.setProperty("jazzer.hooks", "false");
    }
  }

  @FuzzTest(maxDuration = "60s")
  @DictionaryEntries({"ignore all previous instructions", "system prompt", "do anything now", "developer mode",
      "\u200B", "\u200D", "\uFEFF", "\uDB40\uDC69", "\uDB40\uDC20", "\u0430", "\u043E", "\uFF49", "%69%67",
      "\\x69\\x67", "69 67 6e 6f", "aWdub3Jl", "==", "http://", "project falcon", "CVE-2024-1", "[qa]",
      "red-team drill", "\u0301", "\uD835\uDC22"})
  void detectorAlwaysScores(byte[] input) {
    String text = new String(input, StandardCharsets.UTF_8);
    DetectorResult result = InjectionDetector.standard().score(text);
    assertThat(result.score()).isBetween(0.0, 1.0);
    assertThat(REASONS).containsAll(result.reasons());

    GuardVerdict verdict = GUARD.inspect(PromptView.of(List.of(new PromptText("messages[0].content", "user", text)), 0));
    assertThat(verdict.score()).isBetween(0.0, 1.0);
    assertThat(verdict.action()).isIn(GuardAction.ALLOW, GuardAction.FLAG);
    assertThat(verdict.action() == GuardAction.ALLOW).isEqualTo(verdict.reasons().isEmpty());
    if (verdict.action() == GuardAction.ALLOW) {
      assertThat(verdict.reasonCode()).isEqualTo(GuardVerdict.NONE);
    }
    for (String reason : verdict.reasons()) {
      assertThat(REASONS.contains(reason) || reason.matches("deny_(phrases|patterns)\\[\\d+]")).as(reason).isTrue();
    }
  }
}
