package dev.tollgate.fakeprovider;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A bug inside the fake must surface as an OpenAI-shaped 500, never as a hung request. */
class CrashTest {

  private HttpServer server;
  private ExecutorService executor;

  @BeforeEach
  void start() throws IOException {
    Endpoint broken = (body, model) -> {
      throw new IllegalStateException("boom");
    };
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    executor = Executors.newCachedThreadPool();
    server.createContext("/", new ProviderHandler(FakeProviderSettings.defaults(),
        new RequestJournal(10), new ObjectMapper(), Map.of("/v1/broken", broken)));
    server.setExecutor(executor);
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
    executor.shutdownNow();
  }

  @Test
  void anExceptionBecomesA500InOpenAiShape() {
    HttpResponse<String> response = FakeClient.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v1/broken"))
        .timeout(Duration.ofSeconds(10))
        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\"}"))
        .build());

    assertThat(response.statusCode()).isEqualTo(500);
    assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
    assertThat(FakeClient.json(response.body()).at("/error/type").asText()).isEqualTo("server_error");
    assertThat(response.headers().firstValue(ReplyWriter.MODEL_HEADER)).hasValue("m");
  }
}
