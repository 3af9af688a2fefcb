package dev.tollgate.proc;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import dev.tollgate.core.openai.OpenAiError;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The request body parser on arbitrary bytes, and the upstream stage's rewrite on every body it
 * accepts.
 *
 * <ul>
 *   <li>{@link #parseAlwaysDecides}: {@link RequestBodyParser#parse} never throws; it either
 *       accepts (a JSON object with a non-blank string {@code model}) or refuses with an OpenAI 400.
 *   <li>{@link #rewriteChangesOnlyTheModel}: for an accepted body, what
 *       {@link UpstreamStageStream} does for a target with another model name (deep copy, new
 *       {@code model}, write) yields bytes that parse again to the same tree except {@code model}:
 *       the provider sees exactly the request that was authorised.
 * </ul>
 *
 * <p>In {@code mvn verify} each replays its seeds in
 * {@code src/test/resources/dev/tollgate/proc/RequestBodyParserFuzzTestInputs/<method>/}; with
 * {@code JAZZER_FUZZ=1} (see {@code bench/fuzz.sh}) it fuzzes, starting from them. Seeds named
 * {@code rec-*} are request bodies from OpenAI recordings in envoyproxy/ai-gateway's test cassettes
 * (Apache-2.0), taken from the shared corpora.
 */
class RequestBodyParserFuzzTest {
  private static final RequestBodyParser PARSER = new RequestBodyParser();
  private static final ObjectMapper PLAIN = new ObjectMapper();

  /**
   * The normal suite replays seeds only: Jazzer's bug-detector hooks (SQL, LDAP, deserialization,
   * ...) do not apply to this target and instrumenting every loaded class for them costs seconds.
   * Fuzzing (JAZZER_FUZZ set) keeps them; {@code -Djazzer.hooks=true} forces them here too.
   */
  @BeforeAll
  static void noBugDetectorHooksInRegressionMode() {
    if (System.getenv("JAZZER_FUZZ") == null && System.getProperty("JAZZER_FUZZ") == null
        && System.getProperty("jazzer.hooks") == null) {
      System.setProperty("jazzer.hooks", "false");
    }
  }

  @FuzzTest(maxDuration = "60s")
  @DictionaryEntries({"\"model\"", "\"stream\"", "\"messages\"", "true", "false", "null", "\"gpt-4o-mini\"",
      "\\u0000", "\\ud800", "1e400", "-0", "{\"model\":\"", "\uFEFF"})
  void parseAlwaysDecides(byte[] input) throws IOException {
    RequestBodyParser.Outcome outcome = PARSER.parse(ByteString.copyFrom(input));
    assertThat(outcome).isNotNull();
    if (outcome instanceof RequestBodyParser.Refused refused) {
      assertBadRequest(refused.error());
    } else {
      assertAccepted(((RequestBodyParser.Parsed) outcome).request());
    }
  }

  /**
   * Input: the target's model name (what Envoy's weighted cluster puts in
   * {@code x-tollgate-upstream-model}), a newline, then the body. Without a newline the whole
   * input is the body and the target is a fixed name.
   */
  @FuzzTest(maxDuration = "60s")
  @DictionaryEntries({"\"model\"", "\"stream\"", "\"messages\"", "true", "false", "null", "1e400", "-0.0",
      "\\ud83d\\ude00", "\\ud800", "{\"model\":\"", "1.0", "12345678901234567890"})
  void rewriteChangesOnlyTheModel(byte[] input) throws IOException {
    int newline = indexOf(input, (byte) '\n');
    // The header value as HeaderMaps.of reads it; config only allows printable non-blank names.
    String target = newline < 0 ? "canary-model" : new String(input, 0, newline, StandardCharsets.UTF_8);
    byte[] body = newline < 0 ? input : Arrays.copyOfRange(input, newline + 1, input.length);
    if (target.isBlank()) {
      target = "canary-" + target;
    }
    if (!(PARSER.parse(ByteString.copyFrom(body)) instanceof RequestBodyParser.Parsed parsed)) {
      return;
    }
    ObjectNode original = parsed.request().body();
    ObjectNode originalBefore = original.deepCopy();

    byte[] written = PARSER.writeWithModel(original, target);

    assertThat((Object) original).as("the stored tree is never mutated").isEqualTo(originalBefore);
    RequestBodyParser.Outcome again = PARSER.parse(ByteString.copyFrom(written));
    assertThat(again).as("the rewritten body is accepted again: %s", new String(written, StandardCharsets.UTF_8))
        .isInstanceOf(RequestBodyParser.Parsed.class);
    ParsedRequest reparsed = ((RequestBodyParser.Parsed) again).request();
    assertThat(reparsed.model()).isEqualTo(target);
    assertThat(reparsed.stream()).isEqualTo(parsed.request().stream());
    ObjectNode expected = original.deepCopy();
    expected.put("model", target);
    assertThat((Object) reparsed.body()).as("same tree except model, written: %s", new String(written, StandardCharsets.UTF_8))
        .isEqualTo(expected);
    // And a provider's plain parser reads the client's JSON, model aside.
    assertThat((Object) ((ObjectNode) PLAIN.readTree(written)).without("model"))
        .isEqualTo(((ObjectNode) PLAIN.readTree(body)).without("model"));
  }

  /**
   * Found by {@link #rewriteChangesOnlyTheModel}: a number beyond a double's range was read as
   * Infinity and, on a canary rewrite, sent upstream as the string "Infinity". Now refused up front.
   */
  @ParameterizedTest
  @ValueSource(strings = {"1e400", "-1e400", "0.101e40000000000787", "1e309"})
  void numbersBeyondDoubleRangeAreRefused(String number) throws IOException {
    RequestBodyParser.Outcome outcome =
        PARSER.parse(ByteString.copyFromUtf8("{\"model\":\"gpt-4o-mini\",\"temperature\":" + number + "}"));
    assertThat(outcome).isInstanceOf(RequestBodyParser.Refused.class);
    assertBadRequest(((RequestBodyParser.Refused) outcome).error());
  }

  /**
   * Found by {@link #rewriteChangesOnlyTheModel}: Jackson took invalid UTF-8 inside a field name
   * (as lone surrogates) and the rewrite wrote it back as escapes that no parser accepts. Bodies
   * must be UTF-8; UTF-16 and UTF-32, which Jackson would also read, are refused too.
   */
  @ParameterizedTest
  @ValueSource(strings = {"field-name", "value", "utf-16", "utf-16-no-bom", "utf-32-no-bom", "overlong",
      "encoded-surrogate"})
  void bodiesThatAreNotUtf8AreRefused(String kind) throws IOException {
    byte[] body = switch (kind) {
      case "field-name" -> bytes("{\"model\":\"m\",\"na", 0xf5, 0xa3, 0x84, 0x92, "me\":1}");
      case "value" -> bytes("{\"model\":\"m", 0xff, "\"}");
      case "utf-16" -> "\uFEFF{\"model\":\"m\"}".getBytes(StandardCharsets.UTF_16LE);
      // ASCII-only text in UTF-16/32 without a byte order mark is valid UTF-8 byte by byte (its zero
      // bytes are U+0000); Jackson would still detect the encoding from the zeros and read it.
      case "utf-16-no-bom" -> "{\"model\":\"m\"}".getBytes(StandardCharsets.UTF_16LE);
      case "utf-32-no-bom" -> "{\"model\":\"m\"}".getBytes(java.nio.charset.Charset.forName("UTF-32BE"));
      case "overlong" -> bytes("{\"model\":\"m\",\"x\":\"", 0xc0, 0xaf, "\"}");
      case "encoded-surrogate" -> bytes("{\"model\":\"m\",\"x\":\"", 0xed, 0xa0, 0x80, "\"}");
      default -> throw new IllegalArgumentException(kind);
    };
    RequestBodyParser.Outcome outcome = PARSER.parse(ByteString.copyFrom(body));
    assertThat(outcome).isInstanceOf(RequestBodyParser.Refused.class);
    assertBadRequest(((RequestBodyParser.Refused) outcome).error());
  }

  /** A UTF-8 byte order mark is still fine: it is valid UTF-8 and Jackson skips it. */
  @Test
  void utf8ByteOrderMarkIsAccepted() {
    assertThat(PARSER.parse(ByteString.copyFrom(bytes(0xef, 0xbb, 0xbf, "{\"model\":\"m\"}"))))
        .isInstanceOf(RequestBodyParser.Parsed.class);
  }

  /** Text parts as UTF-8, numbers as single bytes. */
  private static byte[] bytes(Object... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Object part : parts) {
      if (part instanceof String text) {
        out.writeBytes(text.getBytes(StandardCharsets.UTF_8));
      } else {
        out.write((Integer) part);
      }
    }
    return out.toByteArray();
  }

  /** The bounds themselves still pass, and big integers are not doubles at all. */
  @ParameterizedTest
  @ValueSource(strings = {"1.7976931348623157e308", "4.9e-324", "1e-400", "-0.0", "123456789012345678901234567890"})
  void numbersWithinRangeStillParse(String number) {
    assertThat(PARSER.parse(ByteString.copyFromUtf8("{\"model\":\"m\",\"x\":" + number + "}")))
        .isInstanceOf(RequestBodyParser.Parsed.class);
  }

  private static void assertBadRequest(OpenAiError error) throws IOException {
    assertThat(error.status()).isEqualTo(400);
    assertThat(error.message()).isNotBlank();
    assertThat(error.type()).isEqualTo("invalid_request_error");
    JsonNode body = PLAIN.readTree(error.toJson()).path("error");
    assertThat(body.path("message").asText()).isEqualTo(error.message());
    assertThat(body.has("param")).isTrue();
    assertThat(body.has("code")).isTrue();
  }

  private static void assertAccepted(ParsedRequest request) {
    assertThat(request.body()).isNotNull();
    assertThat(request.body().isObject()).isTrue();
    assertThat(request.model()).isNotBlank();
    assertThat(request.body().get("model").isTextual()).isTrue();
    assertThat(request.body().get("model").textValue()).isEqualTo(request.model());
    JsonNode stream = request.body().get("stream");
    assertThat(request.stream()).isEqualTo(stream != null && stream.isBoolean() && stream.booleanValue());
  }

  private static int indexOf(byte[] bytes, byte b) {
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == b) {
        return i;
      }
    }
    return -1;
  }
}
