package dev.tollgate.fakeprovider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Plain JDK HTTP calls against a started fake, as a gateway would make them. */
final class FakeClient {

  static final ObjectMapper MAPPER = new ObjectMapper();

  // HTTP/1.1 explicitly: the JDK client would otherwise try an h2c upgrade and add headers to every
  // recorded request.
  private static final HttpClient CLIENT = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5))
      .build();

  private FakeClient() {
  }

  static HttpClient client() {
    return CLIENT;
  }

  static HttpRequest.Builder request(FakeOpenAiProvider provider, String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + provider.port() + path))
        .timeout(Duration.ofSeconds(30));
  }

  static HttpRequest postRequest(FakeOpenAiProvider provider, String path, String body, String... headers) {
    HttpRequest.Builder builder = request(provider, path)
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i < headers.length; i += 2) {
      builder.header(headers[i], headers[i + 1]);
    }
    return builder.build();
  }

  static HttpResponse<String> post(FakeOpenAiProvider provider, String path, String body, String... headers) {
    return send(postRequest(provider, path, body, headers));
  }

  static HttpResponse<String> send(HttpRequest request) {
    try {
      return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static JsonNode json(String text) {
    try {
      return MAPPER.readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Splits an SSE body into event payloads, insisting on the exact framing {@code data: X\n\n}:
   * anything else (a missing blank line, another field, a stray newline) fails the test.
   */
  static List<String> ssePayloads(String body) {
    if (!body.endsWith("\n\n")) {
      throw new AssertionError("stream does not end with a blank line: " + body);
    }
    List<String> payloads = new ArrayList<>();
    for (String event : body.substring(0, body.length() - 2).split("\n\n", -1)) {
      if (!event.startsWith("data: ") || event.contains("\n")) {
        throw new AssertionError("not a single 'data: ' line: [" + event + "]");
      }
      payloads.add(event.substring("data: ".length()));
    }
    return payloads;
  }

  static String chatBody(String model, String userText) {
    return "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + userText + "\"}]}";
  }
}
