package dev.tollgate.fakeprovider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class TimingAndLifecycleTest {

  private static final Duration DELAY = Duration.ofMillis(300);

  @Test
  void delayPrecedesEveryResponse() throws Exception {
    try (FakeOpenAiProvider provider = FakeOpenAiProvider.start(FakeProviderSettings.defaults().withDelay(DELAY))) {
      assertThat(timeToHeaders(FakeClient.postRequest(provider, "/v1/chat/completions",
          FakeClient.chatBody("m", "x")))).isGreaterThanOrEqualTo(DELAY);
      assertThat(timeToHeaders(FakeClient.postRequest(provider, "/v1/chat/completions",
          "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}")))
          .isGreaterThanOrEqualTo(DELAY);
      assertThat(timeToHeaders(FakeClient.postRequest(provider, "/v1/nope", "{}")))
          .isGreaterThanOrEqualTo(DELAY);
    }
  }

  @Test
  void slowStreamDoesNotBlockOtherRequests() throws Exception {
    // A stream that would take about 20 s: another request must not queue behind it.
    FakeProviderSettings settings = FakeProviderSettings.defaults()
        .withStreamChunks(2).withInterChunkDelay(Duration.ofSeconds(5));
    try (FakeOpenAiProvider provider = FakeOpenAiProvider.start(settings)) {
      HttpResponse<InputStream> stream = FakeClient.client().send(
          FakeClient.postRequest(provider, "/v1/chat/completions",
              "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"),
          HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream body = stream.body()) {
        assertThat(body.read()).isEqualTo('d'); // the first event is out, the handler is now sleeping

        HttpResponse<String> plain = FakeClient.send(FakeClient.request(provider, "/v1/chat/completions")
            .timeout(Duration.ofSeconds(4))
            .POST(HttpRequest.BodyPublishers.ofString(FakeClient.chatBody("m", "y")))
            .build());

        assertThat(plain.statusCode()).isEqualTo(200);
      }
    }
  }

  @Test
  void closeStopsServing() throws IOException {
    FakeOpenAiProvider provider = FakeOpenAiProvider.start(FakeProviderSettings.defaults());
    HttpRequest request = FakeClient.postRequest(provider, "/v1/chat/completions", FakeClient.chatBody("m", "x"));
    assertThat(FakeClient.send(request).statusCode()).isEqualTo(200);

    provider.close();

    // Refused, or cut if the client reused its pooled connection: either way nothing is served.
    assertThatThrownBy(() -> FakeClient.send(request))
        .isInstanceOf(UncheckedIOException.class).hasCauseInstanceOf(IOException.class);
  }

  private static Duration timeToHeaders(HttpRequest request) throws Exception {
    long start = System.nanoTime();
    HttpResponse<InputStream> response = FakeClient.client().send(request, HttpResponse.BodyHandlers.ofInputStream());
    Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
    response.body().close();
    return elapsed;
  }
}
