package dev.tollgate.proc.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

/** What a request body asks for, as the reservation reads it. */
class CompletionAskTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static ObjectNode body(String json) throws Exception {
    return (ObjectNode) JSON.readTree(json);
  }

  @Test
  void theClientsLimitIsKeptAndNamed() throws Exception {
    assertThat(CompletionAsk.of("/v1/chat/completions", body("{\"max_tokens\":30,\"n\":2}"), 4096))
        .isEqualTo(new CompletionAsk(30, 2, false, "max_tokens"));
    // The newer field wins when both are given, as OpenAI reads them.
    assertThat(CompletionAsk.of("/v1/chat/completions", body("{\"max_tokens\":30,\"max_completion_tokens\":7}"), 4096))
        .isEqualTo(new CompletionAsk(7, 1, false, "max_completion_tokens"));
  }

  @Test
  void withoutALimitTheGatewaysCapGoesIntoTheEndpointsField() throws Exception {
    assertThat(CompletionAsk.of("/v1/chat/completions", body("{}"), 4096))
        .isEqualTo(new CompletionAsk(4096, 1, true, "max_completion_tokens"));
    assertThat(CompletionAsk.of("/v1/completions", body("{}"), 4096))
        .isEqualTo(new CompletionAsk(16, 1, true, "max_tokens"));
    assertThat(CompletionAsk.of("/v1/embeddings", body("{\"max_tokens\":5}"), 4096))
        .isEqualTo(new CompletionAsk(0, 1, false, null));
  }

  @Test
  void aLimitThatIsNotAPositiveIntegerIsTheClientsMistake() {
    for (String bad : new String[] {"{\"max_tokens\":0}", "{\"max_tokens\":\"10\"}", "{\"max_tokens\":1.5}",
        "{\"n\":0}", "{\"n\":129}", "{\"max_completion_tokens\":-1}"}) {
      CompletionAsk.Invalid invalid = catchThrowableOfType(CompletionAsk.Invalid.class,
          () -> CompletionAsk.of("/v1/chat/completions", body(bad), 4096));
      assertThat(invalid).as(bad).isNotNull();
      assertThat(invalid.getMessage()).contains("must be an integer between 1 and");
    }
  }
}
