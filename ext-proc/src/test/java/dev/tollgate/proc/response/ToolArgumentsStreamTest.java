package dev.tollgate.proc.response;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.core.config.PiiConfig;
import dev.tollgate.inspect.pii.PiiEngine;
import dev.tollgate.inspect.pii.Pseudonyms;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The PII transform on tool-call arguments: JSON text, whole or in fragments cut anywhere. */
class ToolArgumentsStreamTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static String streamed(ResponseTextTransform transform, String... fragments) {
    ToolArgumentsStream stream = new ToolArgumentsStream(transform);
    StringBuilder out = new StringBuilder();
    for (String fragment : fragments) {
      out.append(stream.accept(fragment));
    }
    return out.append(stream.finish()).toString();
  }

  @Test
  void aRestoredValueIsEscapedSoTheArgumentsStayValidJson() throws Exception {
    PiiEngine engine = PiiEngine.compile(new PiiConfig(null, null, Map.of("KEY", "pseudonymize"), Map.of(),
        java.util.List.of(new dev.tollgate.core.config.PiiPatternConfig("KEY", "KEY\\{[^}]*\\}", 40))));
    Pseudonyms pseudonyms = new Pseudonyms();
    // The original holds a quote, a backslash and a line break: raw in JSON, each would break it.
    String original = "KEY{a\"b\\c\nd}";
    assertThat(engine.redactRequest("use " + original, pseudonyms).text()).isEqualTo("use <KEY_1>");
    ResponseTextTransform transform = PiiTextTransform.of(engine, pseudonyms);

    String out = ToolArgumentsStream.transformWhole(transform, "{\"secret\":\"<KEY_1>\",\"n\":1}");

    assertThat(JSON.readTree(out).path("secret").textValue()).isEqualTo(original);
    assertThat(JSON.readTree(out).path("n").intValue()).isEqualTo(1);
  }

  @Test
  void anyCutOfTheFragmentsGivesTheWholeTextsResult() throws Exception {
    PiiEngine engine = PiiEngine.compile(new PiiConfig(null, null, null, Map.of("PHONE", "mask"), null));
    Pseudonyms pseudonyms = new Pseudonyms();
    engine.redactRequest("write to jane.doe@example.com", pseudonyms);
    ResponseTextTransform transform = PiiTextTransform.of(engine, pseudonyms);
    // An escaped quote, an escaped at sign, a placeholder and a phone number to mask.
    String arguments = "{\"to\":\"<EMAIL_1>\",\"cc\":\"bob\\u0040example.org\",\"note\":\"say \\\"hi\\\"\","
        + "\"call\":\"(650) 253-0000\"}";
    String whole = ToolArgumentsStream.transformWhole(transform, arguments);
    assertThat(JSON.readTree(whole).path("to").textValue()).isEqualTo("jane.doe@example.com");
    assertThat(JSON.readTree(whole).path("note").textValue()).isEqualTo("say \"hi\"");
    assertThat(JSON.readTree(whole).path("call").textValue()).isEqualTo("[PHONE]");
    // The escaped address is decoded, so the detectors see it (EMAIL has no response action here).
    assertThat(JSON.readTree(whole).path("cc").textValue()).isEqualTo("bob@example.org");
    for (int a = 1; a < arguments.length(); a++) {
      for (int b = a; b < arguments.length(); b += 7) {
        assertThat(streamed(transform, arguments.substring(0, a), arguments.substring(a, b), arguments.substring(b)))
            .as("cut at %d and %d", a, b).isEqualTo(whole);
      }
    }
  }

  @Test
  void aTruncatedStringIsFlushedWithoutAnInventedQuote() {
    PiiEngine engine = PiiEngine.compile(PiiConfig.defaults());
    Pseudonyms pseudonyms = new Pseudonyms();
    engine.redactRequest("jane.doe@example.com", pseudonyms);
    ResponseTextTransform transform = PiiTextTransform.of(engine, pseudonyms);

    assertThat(streamed(transform, "{\"to\":\"<EMAIL", "_1>")).isEqualTo("{\"to\":\"jane.doe@example.com");
    assertThat(streamed(transform, "{\"to\":\"x\\u00")).isEqualTo("{\"to\":\"x\\\\u00");
  }

  @Test
  void heldBackTextWaitsOnlyInsideAString() {
    PiiEngine engine = PiiEngine.compile(PiiConfig.defaults());
    Pseudonyms pseudonyms = new Pseudonyms();
    engine.redactRequest("jane.doe@example.com", pseudonyms);
    ToolArgumentsStream stream = new ToolArgumentsStream(PiiTextTransform.of(engine, pseudonyms));

    assertThat(stream.accept("{\"to\":\"<EM")).isEqualTo("{\"to\":\"");
    assertThat(stream.accept("AIL_1>\"")).isEqualTo("jane.doe@example.com\"");
    assertThat(stream.accept(",\"n\":42}")).isEqualTo(",\"n\":42}");
    assertThat(stream.finish()).isEmpty();
  }
}
