package dev.tollgate.inspect.pii;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.config.PiiConfig;
import dev.tollgate.core.config.PiiPatternConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The stream transformer gives exactly what the whole-text transform gives, however the text is
 * cut into deltas: proven by cutting every text at every position (two deltas), at every pair of
 * positions (three deltas), into single characters, and into random pieces.
 */
class PiiStreamTest {
  private static final PiiEngine ENGINE = PiiEngine.compile(new PiiConfig("US", List.of("GB"),
      all("pseudonymize"), all("mask"),
      List.of(new PiiPatternConfig("TICKET", "TCK-[0-9]{4,8}", 16))));

  private Pseudonyms pseudonyms;

  private static Map<String, String> all(String action) {
    Map<String, String> map = new LinkedHashMap<>();
    for (String type : PiiConfig.BUILT_IN_TYPES) {
      map.put(type, action);
    }
    map.put("TICKET", action);
    return map;
  }

  @BeforeEach
  void requestSide() {
    pseudonyms = new Pseudonyms();
    RequestRedaction r = ENGINE.redactRequest(
        "I am jane@example.com, phone (650) 253-0000, card 4111 1111 1111 1111", pseudonyms);
    assertThat(r.text()).isEqualTo("I am <EMAIL_1>, phone <PHONE_1>, card <CREDIT_CARD_1>");
  }

  static final String[] TEXTS = {
      "Hello <EMAIL_1>, I will call <PHONE_1> about card <CREDIT_CARD_1>.",
      "<EMAIL_1><PHONE_1><EMAIL_1>",
      "Write to bob@example.org or call +44 20 7946 0958 now",
      "IBAN GB82 WEST 1234 5698 7654 32, SSN 460-89-9847 and 10.0.0.1 / 2001:db8::1 end",
      "key AKIAIOSFODNN7EXAMPLE and sk-proj-abcDEF1234567890abcdef1234567890 and TCK-123456!",
      "jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U ok",
      "pem -----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY----- done",
      "unterminated -----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkq",
      "not pii: 4111111111111112, 999-12-3456, 256.1.1.1, <EMAIL_9>, <EMAIL_1 >, std::vector",
      "jane@example.com is the client's own address, (650) 253-0000 too",
      "ünïcödé 😀 jane@example.com 😀 <EMAIL_1>",
      "",
      "plain text with no values at all, just words and 12 numbers",
  };

  private String whole(String text) {
    return ENGINE.transformResponse(text, pseudonyms);
  }

  private String streamed(List<String> deltas) {
    StreamTransformer stream = ENGINE.streamTransformer(pseudonyms);
    StringBuilder out = new StringBuilder();
    for (String delta : deltas) {
      out.append(stream.accept(delta));
    }
    out.append(stream.finish());
    return out.toString();
  }

  @Test
  void wholeTextResultsAreWhatTheyShouldBe() {
    assertThat(whole(TEXTS[0])).isEqualTo(
        "Hello jane@example.com, I will call (650) 253-0000 about card 4111 1111 1111 1111.");
    assertThat(whole(TEXTS[2])).isEqualTo("Write to [EMAIL] or call [PHONE] now");
    assertThat(whole(TEXTS[3])).isEqualTo("IBAN [IBAN], SSN [US_SSN] and [IP_ADDRESS] / [IP_ADDRESS] end");
    assertThat(whole(TEXTS[4])).isEqualTo("key [SECRET] and [SECRET] and [TICKET]!");
    assertThat(whole(TEXTS[6])).isEqualTo("pem [SECRET] done");
    assertThat(whole(TEXTS[7])).isEqualTo("unterminated [SECRET]");
    assertThat(whole(TEXTS[8])).isEqualTo(TEXTS[8]);
    assertThat(whole(TEXTS[9])).isEqualTo(TEXTS[9]);
  }

  @Test
  void everySplitIntoTwoDeltas() {
    for (String text : TEXTS) {
      String expected = whole(text);
      for (int i = 0; i <= text.length(); i++) {
        assertThat(streamed(List.of(text.substring(0, i), text.substring(i))))
            .as("split at %d of %s", i, text).isEqualTo(expected);
      }
    }
  }

  @Test
  void everySplitIntoThreeDeltas() {
    for (String text : TEXTS) {
      if (text.length() > 70) {
        continue; // quadratic: the shorter texts already put every kind of value across two cuts
      }
      String expected = whole(text);
      for (int i = 0; i <= text.length(); i++) {
        for (int j = i; j <= text.length(); j++) {
          assertThat(streamed(List.of(text.substring(0, i), text.substring(i, j), text.substring(j))))
              .as("split at %d,%d of %s", i, j, text).isEqualTo(expected);
        }
      }
    }
  }

  @Test
  void oneCharacterAtATime() {
    for (String text : TEXTS) {
      List<String> deltas = new ArrayList<>();
      text.codePoints().forEach(cp -> deltas.add(new String(Character.toChars(cp))));
      assertThat(streamed(deltas)).as(text).isEqualTo(whole(text));
    }
  }

  @Test
  void randomPiecesOfALongStream() {
    Random random = new Random(42);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 400; i++) {
      sb.append(TEXTS[random.nextInt(TEXTS.length)]).append(random.nextBoolean() ? " " : "\n");
    }
    String text = sb.toString(); // long enough for the stream to drop what it has sent
    String expected = whole(text);
    for (int round = 0; round < 20; round++) {
      List<String> deltas = new ArrayList<>();
      int at = 0;
      while (at < text.length()) {
        int n = Math.min(text.length() - at, 1 + random.nextInt(40));
        deltas.add(text.substring(at, at + n));
        at += n;
      }
      assertThat(streamed(deltas)).isEqualTo(expected);
    }
  }

  @Test
  void plainTextGoesOutAtOnceAndOnlyAPossibleStartIsHeld() {
    StreamTransformer stream = ENGINE.streamTransformer(pseudonyms);
    assertThat(stream.accept("Hello there. ")).isEqualTo("Hello there. ");
    // "650-" could still become a phone number; "call me at " cannot become anything.
    assertThat(stream.accept("Call me at 650-")).isEqualTo("Call me at ");
    assertThat(stream.accept("253-0000, thanks. ")).isEqualTo("[PHONE], thanks. ");
    assertThat(stream.accept("<EMA")).isEqualTo("");
    assertThat(stream.accept("IL_1> ")).isEqualTo("jane@example.com ");
    assertThat(stream.finish()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 7, 100, 5000})
  void holdBackIsBounded(int chunk) {
    // An open PEM block is held, but never beyond its cap; then it is released as text.
    String text = "-----BEGIN PRIVATE KEY-----\n" + "A".repeat(BuiltInDetectors.PEM_MAX_BODY + 500) + " tail";
    StreamTransformer stream = ENGINE.streamTransformer(pseudonyms);
    int maxHeld = 0;
    int in = 0;
    int out = 0;
    for (int at = 0; at < text.length(); at += chunk) {
      String delta = text.substring(at, Math.min(text.length(), at + chunk));
      in += delta.length();
      out += stream.accept(delta).length();
      maxHeld = Math.max(maxHeld, in - out);
    }
    stream.finish();
    assertThat(maxHeld)
        .isLessThanOrEqualTo(BuiltInDetectors.PEM_MAX_BODY + 200 + SpanScanner.RECHECK_STEP + chunk);
  }

  @Test
  void aPieceNeverEndsInsideASurrogatePair() {
    StreamTransformer stream = ENGINE.streamTransformer(pseudonyms);
    String smile = "\uD83D\uDE00";
    assertThat(stream.accept("ok " + smile.charAt(0))).isEqualTo("ok ");
    assertThat(stream.accept(smile.charAt(1) + " ")).isEqualTo(smile + " ");
    assertThat(stream.finish()).isEmpty();
  }

  @Test
  void finishTwiceAndEmptyDeltasAreHarmless() {
    StreamTransformer stream = ENGINE.streamTransformer(pseudonyms);
    assertThat(stream.accept("")).isEmpty();
    assertThat(stream.accept(null)).isEmpty();
    assertThat(stream.accept("a@b")).isEmpty();
    assertThat(stream.finish()).isEqualTo("a@b");
    assertThat(stream.finish()).isEmpty();
  }
}
