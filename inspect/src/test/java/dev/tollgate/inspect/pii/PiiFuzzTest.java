package dev.tollgate.inspect.pii;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tollgate.core.config.PiiConfig;
import dev.tollgate.core.config.PiiPatternConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;

/**
 * The PII scanner and the stream transformer on arbitrary text.
 *
 * <ul>
 *   <li>{@link #redactionKeepsEverythingElse}: redacting never throws; the values found are in
 *       bounds, in order and disjoint; the redacted text is exactly the input with each found value
 *       replaced by its mask, so no text that is not PII is lost, moved or repeated.
 *   <li>{@link #streamEqualsWholeText}: however the text is cut into deltas, the stream never throws
 *       and its output is exactly the whole-text transform (which restores this request's
 *       placeholders and masks the rest).
 * </ul>
 *
 * <p>In {@code mvn verify} each replays its seeds in
 * {@code src/test/resources/dev/tollgate/inspect/pii/PiiFuzzTestInputs/<method>/}; with
 * {@code JAZZER_FUZZ=1} (see {@code bench/fuzz.sh}) it fuzzes, starting from them.
 */
class PiiFuzzTest {
  private static final PiiEngine ENGINE = PiiEngine.compile(new PiiConfig("US", List.of("GB"),
      all("mask"), all("mask"), List.of(new PiiPatternConfig("TICKET", "TCK-[0-9]{4,8}", 16))));

  private static Map<String, String> all(String action) {
    Map<String, String> map = new LinkedHashMap<>();
    PiiConfig.BUILT_IN_TYPES.forEach(t -> map.put(t, action));
    map.put("TICKET", action);
    return map;
  }

  /** As in RequestBodyParserFuzzTest: bug-detector hooks only when really fuzzing. */
  @BeforeAll
  static void noBugDetectorHooksInRegressionMode() {
    if (System.getenv("JAZZER_FUZZ") == null && System.getProperty("JAZZER_FUZZ") == null
        && System.getProperty("jazzer.hooks") == null) {
      System.setProperty("jazzer.hooks", "false");
    }
  }

  @FuzzTest(maxDuration = "60s")
  @DictionaryEntries({"@", ".com", "+1 ", "(650) 253-0000", "4111", "GB82", "-", "::", "sk-", "AKIA",
      "eyJ", "-----BEGIN PRIVATE KEY-----", "-----END PRIVATE KEY-----", "<EMAIL_1>", "TCK-"})
  void redactionKeepsEverythingElse(FuzzedDataProvider data) {
    String text = data.consumeRemainingAsString();
    List<PiiMatch> found = ENGINE.scan(text);
    StringBuilder expected = new StringBuilder();
    int at = 0;
    for (PiiMatch m : found) {
      assertThat(m.start()).isGreaterThanOrEqualTo(at);
      assertThat(m.end()).isGreaterThan(m.start()).isLessThanOrEqualTo(text.length());
      expected.append(text, at, m.start()).append('[').append(m.entityType()).append(']');
      at = m.end();
    }
    expected.append(text, at, text.length());
    RequestRedaction r = ENGINE.redactRequest(text, new Pseudonyms());
    assertThat(r.text()).isEqualTo(expected.toString());
    assertThat(r.countsByEntityType().values().stream().mapToInt(Integer::intValue).sum())
        .isEqualTo(found.size());
  }

  @FuzzTest(maxDuration = "60s")
  @DictionaryEntries({"@", ".com", "+1 ", "(650) 253-0000", "4111", "GB82", "-", "::", "sk-", "AKIA",
      "eyJ", "-----BEGIN PRIVATE KEY-----", "<EMAIL_1>", "<PHONE_1>", "<EMAIL_", "jane@example.com"})
  void streamEqualsWholeText(FuzzedDataProvider data) {
    Pseudonyms pseudonyms = new Pseudonyms();
    pseudonyms.placeholderFor("EMAIL", "jane@example.com");
    pseudonyms.placeholderFor("PHONE", "(650) 253-0000");
    int cuts = data.consumeInt(0, 20);
    List<Integer> sizes = new ArrayList<>();
    for (int i = 0; i < cuts; i++) {
      sizes.add(data.consumeInt(0, 64));
    }
    String text = data.consumeRemainingAsString();
    StreamTransformer stream = ENGINE.streamTransformer(pseudonyms);
    StringBuilder out = new StringBuilder();
    int at = 0;
    for (int size : sizes) {
      int end = Math.min(text.length(), at + size);
      out.append(stream.accept(text.substring(at, end)));
      at = end;
    }
    out.append(stream.accept(text.substring(at)));
    out.append(stream.finish());
    assertThat(out.toString()).isEqualTo(ENGINE.transformResponse(text, pseudonyms));
  }
}
