package dev.tollgate.proc;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;

/** Deep nesting costs stack in every parser and inspector that walks the tree: refused early. */
class RequestBodyNestingTest {
  private final RequestBodyParser parser = new RequestBodyParser();

  private static String nested(int depth) {
    // The body object itself is level 1.
    return "{\"model\":\"gpt-4o\",\"metadata\":" + "[".repeat(depth - 1) + "]".repeat(depth - 1) + "}";
  }

  @Test
  void sixtyFourLevelsAreAccepted() {
    assertThat(parser.parse(ByteString.copyFromUtf8(nested(64)))).isInstanceOf(RequestBodyParser.Parsed.class);
  }

  @Test
  void deeperIsA400NamingTheLimit() {
    RequestBodyParser.Outcome outcome = parser.parse(ByteString.copyFromUtf8(nested(65)));
    assertThat(outcome).isInstanceOf(RequestBodyParser.Refused.class);
    var error = ((RequestBodyParser.Refused) outcome).error();
    assertThat(error.status()).isEqualTo(400);
    assertThat(error.type()).isEqualTo("invalid_request_error");
    assertThat(error.message()).contains("64 levels");
  }

  @Test
  void tenThousandLevelsAreRefusedWithoutAStackOverflow() {
    String deep = "{\"model\":\"m\",\"x\":" + "[".repeat(10_000) + "]".repeat(10_000) + "}";
    assertThat(parser.parse(ByteString.copyFromUtf8(deep))).isInstanceOf(RequestBodyParser.Refused.class);
  }
}
