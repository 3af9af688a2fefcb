package dev.tollgate.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.NotFoundException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** OpenAI's own Java SDK, unchanged but for its base URL, works against the gateway. */
class OpenAiSdkThroughEnvoyTest extends ThroughEnvoyTest {
  private static OpenAIClient client;

  @BeforeAll
  static void createClient() {
    client = OpenAIOkHttpClient.builder().baseUrl(gateway.baseUrl() + "/v1").apiKey(TestGateway.ALICE_KEY)
        .maxRetries(0).build();
  }

  @AfterAll
  static void closeClient() {
    client.close();
  }

  private static ChatCompletionCreateParams params(String model) {
    return ChatCompletionCreateParams.builder().model(model).addUserMessage("Hello there").build();
  }

  @Test
  void plainCompletion() {
    ChatCompletion completion = client.chat().completions().create(params("gpt-4o"));
    assertThat(completion.model()).isEqualTo("gpt-4o");
    assertThat(completion.choices().get(0).message().content()).hasValueSatisfying(
        text -> assertThat(text).contains("Hello there"));
    assertThat(completion.usage()).isPresent();
  }

  @Test
  void streamingCompletion() {
    StringBuilder text = new StringBuilder();
    int chunks = 0;
    try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params("gpt-4o"))) {
      for (ChatCompletionChunk chunk : (Iterable<ChatCompletionChunk>) stream.stream()::iterator) {
        chunks++;
        chunk.choices().forEach(choice -> choice.delta().content().ifPresent(text::append));
      }
    }
    assertThat(chunks).isGreaterThan(2);
    assertThat(text.toString()).contains("You said: Hello there");
  }

  @Test
  void errorsMapToTheSdksExceptions() {
    assertThatThrownBy(() -> client.chat().completions().create(params("no-such-model")))
        .isInstanceOf(NotFoundException.class);
    OpenAIClient wrongKey = OpenAIOkHttpClient.builder().baseUrl(gateway.baseUrl() + "/v1")
        .apiKey("tg-not-a-key").maxRetries(0).build();
    try {
      assertThatThrownBy(() -> wrongKey.chat().completions().create(params("gpt-4o")))
          .isInstanceOf(UnauthorizedException.class);
    } finally {
      wrongKey.close();
    }
  }
}
