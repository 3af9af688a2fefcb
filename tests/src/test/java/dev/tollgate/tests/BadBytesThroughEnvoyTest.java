package dev.tollgate.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.fakeprovider.RawAnswer;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Bytes the gateway cannot read as they are, through a real Envoy: a request body that is not
 * UTF-8; a provider answer with invalid UTF-8 inside a plain JSON body and inside a stream chunk;
 * and answers in a content-encoding the gateway cannot decode ({@code br}, {@code zstd}) although
 * it asked upstream for {@code identity}. Under a PII policy every one has a defined outcome in
 * bounded time, and none delivers the provider's text without the policy's restore and masking.
 * The provider's bytes come from {@link dev.tollgate.fakeprovider.FakeOpenAiProvider#answerRaw}.
 */
class BadBytesThroughEnvoyTest extends OwnConfigThroughEnvoyTest {
  static final String CONFIG = """
      listener: { address: 127.0.0.1, port: {{LISTENER_PORT}} }
      control_plane: { address: 127.0.0.1, grpc_port: {{GRPC_PORT}}, admin_port: {{ADMIN_PORT}} }
      backends:
        - name: primary
          kind: openai-compatible
          endpoints: [ { host: 127.0.0.1, port: {{FAKE_PORT}} } ]
      models:
        - name: gpt-4o-pii
          targets: [ { backend: primary, model: gpt-4o } ]
        - name: gpt-4o-plain
          targets: [ { backend: primary, model: gpt-4o } ]
      consumers:
        - name: alice
          api_keys: [ "sha256:{{ALICE_HASH}}" ]
          models: [ "*" ]
      policies:
        - name: pii
          match: { models: [ gpt-4o-pii ] }
          pii:
            request: { EMAIL: pseudonymize }
            response: { TICKET: mask }
            custom: [ { entity: TICKET, pattern: "TCK-[0-9]{6}" } ]
      """;
  static final String CHAT = "/v1/chat/completions";
  static final String EMAIL = "bad.bytes@example.org";
  /** What the provider sees instead of {@link #EMAIL}, and echoes back. */
  static final String PLACEHOLDER = "<EMAIL_1>";
  /** A value the policy masks in answers. */
  static final String TICKET = "TCK-123456";
  /** Not UTF-8: a lone continuation byte and a byte that never occurs in UTF-8. */
  static final byte[] INVALID = {(byte) 0x80, (byte) 0xFF};

  /** For answers read as bytes (TestGateway reads text). */
  static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @Override
  String config() {
    return CONFIG;
  }

  @Test
  void aRequestBodyThatIsNotUtf8IsRefusedWith400() throws Exception {
    byte[] body = bytes("{\"model\":\"gpt-4o-pii\",\"messages\":[{\"role\":\"user\",\"content\":\"hi ",
        INVALID, "\"}]}");
    HttpResponse<String> response = gateway.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + CHAT))
        .timeout(Duration.ofSeconds(10)).header("authorization", "Bearer " + TestGateway.ALICE_KEY)
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
    assertThat(response.headers().firstValue("x-tollgate-request-id")).isPresent();
    JsonNode error = TestGateway.JSON.readTree(response.body()).path("error");
    assertThat(error.path("message").asText()).isEqualTo("The request body must be JSON encoded as UTF-8.");
    assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
    assertThat(error.path("param").isNull()).isTrue();
    assertThat(error.path("code").isNull()).isTrue();
    assertThat(gateway.provider().receivedRequests()).isEmpty();
  }

  /** Invalid bytes become U+FFFD, as in streams; the placeholder is restored and the ticket masked. */
  @Test
  void aPlainAnswerWithInvalidUtf8IsStillRestoredAndMasked() throws Exception {
    byte[] answer = bytes("{\"id\":\"chatcmpl-bad\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"gpt-4o\","
        + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Mail " + PLACEHOLDER
        + " about " + TICKET + " ", INVALID, "\"},\"finish_reason\":\"stop\"}],"
        + "\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":7,\"total_tokens\":16}}");
    HttpResponse<String> response = chatWith(answer(List.of(answer), "application/json", null), false);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonNode body = TestGateway.JSON.readTree(response.body());
    assertThat(body.path("choices").path(0).path("message").path("content").asText())
        .isEqualTo("Mail " + EMAIL + " about [TICKET] \uFFFD\uFFFD");
    assertThat(body.path("model").asText()).isEqualTo("gpt-4o-pii");
    assertThat(response.headers().firstValue("x-tollgate-usage-total-tokens")).hasValue("16");
  }

  @Test
  void aStreamChunkWithInvalidUtf8IsStillRestoredAndMasked() throws Exception {
    String head = "{\"id\":\"chatcmpl-bad\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o\","
        + "\"choices\":[{\"index\":0,\"delta\":{";
    List<byte[]> events = List.of(
        bytes("data: " + head + "\"role\":\"assistant\",\"content\":\"Mail " + PLACEHOLDER + " ", INVALID,
            "\"},\"finish_reason\":null}]}\n\n"),
        bytes("data: " + head + "\"content\":\" about " + TICKET + "\"},\"finish_reason\":\"stop\"}]}\n\n"),
        bytes("data: [DONE]\n\n"));
    HttpResponse<String> response = chatWith(answer(events, "text/event-stream", null), true);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    ResponseSideThroughEnvoyTest.Events received = ResponseSideThroughEnvoyTest.events(response.body());
    assertThat(received.done()).isTrue();
    assertThat(received.text()).isEqualTo("Mail " + EMAIL + " \uFFFD\uFFFD about [TICKET]");
  }

  /**
   * The gateway asks upstream for {@code accept-encoding: identity}; a provider that compresses
   * anyway in an encoding the gateway cannot decode would deliver its text unread: placeholders
   * not restored, values the policy masks in answers unmasked. Under a policy with PII work on
   * the answer it is refused instead (502 {@code upstream_error}). The fake labels plain JSON as
   * {@code br}: the gateway goes by the header, and the test can read what would have leaked.
   */
  @Test
  void anAnswerInAnEncodingTheGatewayCannotReadIsRefusedUnderAPiiPolicy() throws Exception {
    byte[] plain = bytes("{\"id\":\"chatcmpl-br\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"gpt-4o\","
        + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Mail " + PLACEHOLDER
        + " about " + TICKET + "\"},\"finish_reason\":\"stop\"}]}");
    HttpResponse<String> brotli = chatWith(answer(List.of(plain), "application/json", "br"), false);
    assertRefusedAsUnreadable(brotli, "br");
    assertThat(gateway.provider().receivedRequests()).singleElement().satisfies(request ->
        assertThat(request.headers().get("accept-encoding")).containsExactly("identity"));

    byte[] event = bytes("data: {\"id\":\"chatcmpl-zstd\",\"object\":\"chat.completion.chunk\",\"created\":1,"
        + "\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"about " + TICKET
        + "\"},\"finish_reason\":\"stop\"}]}\n\n");
    HttpResponse<String> zstd = chatWith(answer(List.of(event, bytes("data: [DONE]\n\n")), "text/event-stream",
        "zstd"), true);
    assertRefusedAsUnreadable(zstd, "zstd");
  }

  /** Without a policy there is nothing to restore or mask: the answer passes as sent, uninspected. */
  @Test
  void withoutAPolicyAnAnswerInAnUnknownEncodingPassesAsSent() throws Exception {
    byte[] plain = bytes("{\"id\":\"chatcmpl-br\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"gpt-4o\","
        + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"about " + TICKET
        + "\"},\"finish_reason\":\"stop\"}]}");
    HttpResponse<byte[]> response;
    try (AutoCloseable raw = gateway.provider().answerRaw(CHAT, answer(List.of(plain), "application/json", "br"))) {
      response = HTTP.send(request("gpt-4o-plain", "hello", false), HttpResponse.BodyHandlers.ofByteArray());
    }
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-encoding")).hasValue("br");
    assertThat(response.body()).isEqualTo(plain);
  }

  private static void assertRefusedAsUnreadable(HttpResponse<String> response, String encoding) throws Exception {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(502);
    assertThat(response.headers().firstValue("content-encoding")).isEmpty();
    assertThat(response.headers().firstValue("x-tollgate-request-id")).isPresent();
    JsonNode error = TestGateway.JSON.readTree(response.body()).path("error");
    assertThat(error.path("type").asText()).isEqualTo("api_error");
    assertThat(error.path("code").asText()).isEqualTo("upstream_error");
    assertThat(error.path("message").asText()).contains(encoding);
    assertThat(response.body()).doesNotContain(TICKET).doesNotContain(PLACEHOLDER);
  }

  private static RawAnswer answer(List<byte[]> chunks, String contentType, String encoding) {
    return new RawAnswer(200, encoding == null ? Map.of("content-type", contentType)
        : Map.of("content-type", contentType, "content-encoding", encoding), chunks);
  }

  /** One chat completion for {@code gpt-4o-pii} whose prompt carries {@link #EMAIL}, answered with {@code answer}. */
  private static HttpResponse<String> chatWith(RawAnswer answer, boolean stream) throws Exception {
    try (AutoCloseable raw = gateway.provider().answerRaw(CHAT, answer)) {
      HttpResponse<String> response = gateway.send(request("gpt-4o-pii", "Write to " + EMAIL, stream));
      assertThat(gateway.provider().receivedRequests()).last()
          .satisfies(received -> assertThat(received.body()).contains(PLACEHOLDER).doesNotContain(EMAIL));
      return response;
    }
  }

  private static HttpRequest request(String model, String content, boolean stream) {
    return HttpRequest.newBuilder(URI.create(gateway.baseUrl() + CHAT)).timeout(Duration.ofSeconds(10))
        .header("authorization", "Bearer " + TestGateway.ALICE_KEY).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\","
            + "\"content\":\"" + content + "\"}]" + (stream ? ",\"stream\":true" : "") + "}"))
        .build();
  }

  /** Text and raw bytes, in order, as one byte array. */
  private static byte[] bytes(Object... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Object part : parts) {
      out.writeBytes(part instanceof byte[] raw ? raw : ((String) part).getBytes(StandardCharsets.UTF_8));
    }
    return out.toByteArray();
  }
}
