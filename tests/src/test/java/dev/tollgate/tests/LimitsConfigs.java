package dev.tollgate.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

/** The configs and client moves the request-limit tests share. */
final class LimitsConfigs {
  private LimitsConfigs() {}

  static final String CAROL_KEY = "tg-test-carol-key-0003";
  static final String DAVE_KEY = "tg-test-dave-key-0004";
  static final String ERIN_KEY = "tg-test-erin-key-0005";
  static final String FRANK_KEY = "tg-test-frank-key-0006";

  /**
   * alice: 6 requests per minute, burst 3 (one token every 10 s, so a test never sees a refill);
   * carol: one request in flight; dave: gpt-4o alone limited to a burst of 1; erin and frank:
   * no limits of their own, but their team "red" has a burst of 2 between them. {{REDIS}} is
   * replaced by a redis section or nothing.
   */
  static final String TEMPLATE = """
      listener: { address: 127.0.0.1, port: {{LISTENER_PORT}} }
      control_plane: { address: 127.0.0.1, grpc_port: {{GRPC_PORT}}, admin_port: {{ADMIN_PORT}} }
      backends:
        - name: primary
          kind: openai
          endpoints: [ { host: 127.0.0.1, port: {{FAKE_PORT}} } ]
          credential: file:{{CREDENTIAL_FILE}}
      models:
        - name: gpt-4o
          targets: [ { backend: primary } ]
        - name: gpt-4o-mini
          targets: [ { backend: primary } ]
      consumers:
        - name: alice
          api_keys: [ "sha256:{{ALICE_HASH}}" ]
          models: [ "gpt-4o*" ]
          rate_limit: { requests_per_minute: 6, burst: 3 }
        - name: bob
          api_keys: [ "sha256:{{BOB_HASH}}" ]
          models: [ "gpt-4o*" ]
          rate_limit: { requests_per_minute: 6, burst: 10 }
        - name: carol
          api_keys: [ "sha256:%s" ]
          models: [ "gpt-4o*" ]
          max_concurrent_requests: 1
        - name: dave
          api_keys: [ "sha256:%s" ]
          models: [ "gpt-4o*" ]
          model_limits:
            - { model: gpt-4o, rate_limit: { requests_per_minute: 1, burst: 1 } }
        - name: erin
          team: red
          api_keys: [ "sha256:%s" ]
          models: [ "gpt-4o*" ]
        - name: frank
          team: red
          api_keys: [ "sha256:%s" ]
          models: [ "gpt-4o*" ]
      teams:
        - name: red
          rate_limit: { requests_per_minute: 6, burst: 2 }
      {{REDIS}}
      """.formatted(TestGateway.sha256(CAROL_KEY), TestGateway.sha256(DAVE_KEY), TestGateway.sha256(ERIN_KEY),
      TestGateway.sha256(FRANK_KEY));

  static String inMemory() {
    return TEMPLATE.replace("{{REDIS}}", "");
  }

  static String withRedis(String url, String onError) {
    return TEMPLATE.replace("{{REDIS}}", "redis: { url: \"" + url + "\", timeout_ms: 50, on_error: " + onError + " }");
  }

  static void assertRateLimited(HttpResponse<String> response) throws IOException {
    assertThat(response.statusCode()).isEqualTo(429);
    JsonNode error = TestGateway.JSON.readTree(response.body()).path("error");
    assertThat(error.path("code").asText()).isEqualTo("rate_limit_exceeded");
    assertThat(error.path("type").asText()).isEqualTo("requests");
    assertThat(error.path("message").asText()).isNotBlank();
    assertThat(error.has("param")).isTrue();
    assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
    assertThat(Long.parseLong(response.headers().firstValue("retry-after").orElseThrow())).isPositive();
    assertThat(response.headers().firstValue("x-tollgate-request-id")).isPresent();
  }

  /**
   * Starts a stream the provider stalls after two events, reads the first event, and returns the
   * open socket: closing it is the client going away mid-stream.
   */
  static Socket startStalledStream(TestGateway gateway, String apiKey) throws IOException {
    String body = "{\"model\":\"gpt-4o\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    Socket socket = new Socket(InetAddress.getLoopbackAddress(), Integer.parseInt(gateway.values().get("LISTENER_PORT")));
    socket.setSoTimeout(20_000);
    OutputStream out = socket.getOutputStream();
    out.write(("POST /v1/chat/completions HTTP/1.1\r\nhost: 127.0.0.1\r\n"
        + "authorization: Bearer " + apiKey + "\r\ncontent-type: application/json\r\n"
        + "x-fake-provider-behavior: stall-mid-stream\r\n"
        + "content-length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body)
        .getBytes(StandardCharsets.UTF_8));
    out.flush();
    InputStream in = socket.getInputStream();
    StringBuilder received = new StringBuilder();
    byte[] buffer = new byte[4096];
    while (!received.toString().contains("data: ")) {
      int n = in.read(buffer);
      if (n < 0) {
        break;
      }
      received.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
    }
    assertThat(received.toString()).startsWith("HTTP/1.1 200").contains("data: ");
    return socket;
  }
}
