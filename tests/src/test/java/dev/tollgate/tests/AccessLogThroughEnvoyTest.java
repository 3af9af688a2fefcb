package dev.tollgate.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Envoy's access log through a real Envoy: each request's line carries the caller ext_authz
 * decided (consumer, team, scopes, plan) and the token counts ext_proc read from the provider,
 * a 401 carries neither, and no key the client or the gateway used ever reaches the file.
 */
class AccessLogThroughEnvoyTest extends OwnConfigThroughEnvoyTest {
  static final String WRONG_KEY = "tg-test-wrong-key-9999";

  /** The standard test config's shape, with a file access log and a consumer that has every identity field. */
  static final String CONFIG = """
      listener:
        address: 127.0.0.1
        port: {{LISTENER_PORT}}
        access_log: { path: "{{DIR}}/access.log" }
      control_plane: { address: 127.0.0.1, grpc_port: {{GRPC_PORT}}, admin_port: {{ADMIN_PORT}} }
      ext_services: { timeout_ms: 5000 }     # a loaded shared CI machine must not turn checks into 503s
      backends:
        - name: primary
          kind: openai
          endpoints: [ { host: 127.0.0.1, port: {{FAKE_PORT}} } ]
          credential: file:{{CREDENTIAL_FILE}}
      models:
        - name: gpt-4o-mini
          targets: [ { backend: primary, model: gpt-4o-mini-2024-07-18 } ]
      teams:
        - name: research
      consumers:
        - name: alice
          api_keys: [ "sha256:{{ALICE_HASH}}" ]
          models: [ "gpt-4o*" ]
          team: research
          plan: gold
          scopes: [ completions, chat ]
      """;

  @Override
  String config() {
    return CONFIG;
  }

  @Test
  void aPlainAnswerIsLoggedWithItsCallerAndTheProvidersTokenCounts() throws Exception {
    HttpResponse<String> response = gateway.post("/v1/chat/completions", TestGateway.ALICE_KEY,
        TestGateway.chat("gpt-4o-mini"));
    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode usage = TestGateway.JSON.readTree(response.body()).path("usage");

    JsonNode line = awaitLine(AccessLogThroughEnvoyTest::accessLog, requestId(response));
    assertAlice(line);
    assertUsage(line, usage);
    assertThat(line.path("method").asText()).isEqualTo("POST");
    assertThat(line.path("path").asText()).isEqualTo("/v1/chat/completions");
    assertThat(line.path("response_code").asInt()).isEqualTo(200);
    assertThat(line.path("upstream_cluster").asText()).isEqualTo("backend_primary");
    assertThat(line.path("upstream_host").asText()).isEqualTo("127.0.0.1:" + gateway.values().get("FAKE_PORT"));
    assertThat(line.path("duration_ms").isNumber()).isTrue();
    assertNoSecrets();
  }

  @Test
  void aStreamIsLoggedWithTheUsageOfItsLastChunk() throws Exception {
    HttpResponse<String> response = gateway.post("/v1/chat/completions", TestGateway.ALICE_KEY,
        ResponseSideThroughEnvoyTest.chat("gpt-4o-mini", "Hello there", true, true));
    assertThat(response.statusCode()).isEqualTo(200);
    ResponseSideThroughEnvoyTest.Events events = ResponseSideThroughEnvoyTest.events(response.body());
    assertThat(events.done()).isTrue();
    JsonNode usage = events.chunks().get(events.chunks().size() - 1).path("usage");
    assertThat(usage.path("total_tokens").asLong()).isPositive();

    JsonNode line = awaitLine(AccessLogThroughEnvoyTest::accessLog, requestId(response));
    assertAlice(line);
    assertUsage(line, usage);
    assertThat(line.path("response_code").asInt()).isEqualTo(200);
    assertNoSecrets();
  }

  @Test
  void aRefusedKeyIsLoggedAs401WithoutACallerTokensOrTheKey() throws Exception {
    // The key also rides in the query string, where some clients put it: the log has no query.
    HttpResponse<String> response = gateway.post("/v1/chat/completions?api_key=" + WRONG_KEY, WRONG_KEY,
        TestGateway.chat("gpt-4o-mini"));
    assertThat(response.statusCode()).isEqualTo(401);

    JsonNode line = awaitLine(AccessLogThroughEnvoyTest::accessLog, requestId(response));
    assertThat(line.path("response_code").asInt()).isEqualTo(401);
    assertThat(line.path("path").asText()).isEqualTo("/v1/chat/completions");
    for (String field : List.of("consumer", "team", "scopes", "plan", "credential_kind", "spiffe_id",
        "prompt_tokens", "completion_tokens", "total_tokens", "model")) {
      assertThat(line.path(field).isNull()).as(field).isTrue();
    }
    assertThat(line.path("upstream_cluster").isNull()).isTrue();
    assertNoSecrets();
  }

  /**
   * The default, on the standard test config: JSON lines on Envoy's standard output, which the
   * launcher sends to envoy.log, interleaved with Envoy's own log lines and none lost.
   */
  @Test
  void byDefaultLinesGoToEnvoysStandardOutput() throws Exception {
    try (TestGateway standard = TestGateway.start()) {
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        HttpResponse<String> response = standard.post("/v1/chat/completions", TestGateway.ALICE_KEY,
            TestGateway.chat("gpt-4o"));
        assertThat(response.statusCode()).isEqualTo(200);
        ids.add(requestId(response));
      }
      for (String id : ids) {
        JsonNode line = awaitLine(standard::envoyLog, id);
        assertThat(line.path("consumer").asText()).isEqualTo("alice");
        assertThat(line.path("total_tokens").asLong()).isPositive();
      }
      assertThat(standard.envoyLog()).doesNotContain(TestGateway.ALICE_KEY).doesNotContain(TestGateway.PROVIDER_KEY);
    }
  }

  @Test
  void aFileEnvoyCannotOpenIsNackedAndTheOldListenerKeepsLogging() throws Exception {
    String good = gateway.runtime().currentVersion();
    try {
      gateway.writeConfig(CONFIG.replace("{{DIR}}/access.log", "{{DIR}}/no-such-dir/access.log"));
      TestGateway.waitFor(Duration.ofSeconds(5), () -> nacks().size() > 0, "a NACK for the listener");
      assertThat(nacks().get(0).path("type").asText()).isEqualTo("envoy.config.listener.v3.Listener");
      assertThat(nacks().get(0).path("detail").asText()).contains("no-such-dir/access.log");
      assertThat(nacks().get(0).path("kept_version").asText()).isEqualTo(good);
      HttpResponse<String> response = gateway.post("/v1/chat/completions", TestGateway.ALICE_KEY,
          TestGateway.chat("gpt-4o-mini"));
      assertThat(awaitLine(AccessLogThroughEnvoyTest::accessLog, requestId(response)).path("consumer").asText())
          .isEqualTo("alice");
    } finally {
      gateway.writeConfig(CONFIG.replace("timeout_ms: 5000", "timeout_ms: 5001"));
      TestGateway.waitFor(Duration.ofSeconds(5), () -> nacks().isEmpty(), "the NACK to clear");
    }
  }

  /** NACKs /status lists for the test's Envoy node. */
  private static List<JsonNode> nacks() {
    List<JsonNode> nacks = new ArrayList<>();
    try {
      for (JsonNode node : gateway.status().path("nodes")) {
        if (node.path("id").asText().startsWith("test-")) {
          node.path("nacks").forEach(nacks::add);
        }
      }
    } catch (IOException e) {
      // not answering yet: no NACK seen
    }
    return nacks;
  }

  private static void assertAlice(JsonNode line) {
    assertThat(line.path("consumer").asText()).isEqualTo("alice");
    assertThat(line.path("team").asText()).isEqualTo("research");
    assertThat(line.path("scopes").asText()).isEqualTo("chat completions");
    assertThat(line.path("plan").asText()).isEqualTo("gold");
    assertThat(line.path("credential_kind").asText()).isEqualTo("api_key");
    assertThat(line.path("spiffe_id").asText()).isEmpty();
    assertThat(line.path("model").asText()).isEqualTo("gpt-4o-mini");
  }

  /** Every count the provider reported, as Envoy got it from ext_proc's dynamic metadata. */
  private static void assertUsage(JsonNode line, JsonNode usage) {
    assertThat(usage.path("prompt_tokens").asLong()).isPositive();
    assertThat(line.path("prompt_tokens").asLong()).isEqualTo(usage.path("prompt_tokens").asLong());
    assertThat(line.path("completion_tokens").asLong()).isEqualTo(usage.path("completion_tokens").asLong());
    assertThat(line.path("total_tokens").asLong()).isEqualTo(usage.path("total_tokens").asLong());
    assertThat(line.path("cached_tokens").isNumber()).isTrue();
    assertThat(line.path("cached_tokens").asLong())
        .isEqualTo(usage.path("prompt_tokens_details").path("cached_tokens").asLong());
    assertThat(line.path("reasoning_tokens").isNumber()).isTrue();
    assertThat(line.path("reasoning_tokens").asLong())
        .isEqualTo(usage.path("completion_tokens_details").path("reasoning_tokens").asLong());
  }

  private static void assertNoSecrets() throws IOException {
    assertThat(accessLog()).isNotEmpty()
        .doesNotContain(TestGateway.ALICE_KEY)
        .doesNotContain(WRONG_KEY)
        .doesNotContain(TestGateway.PROVIDER_KEY)
        .doesNotContainIgnoringCase("bearer")
        .doesNotContain("Hello there"); // no request body
  }

  private static String requestId(HttpResponse<String> response) {
    Optional<String> id = response.headers().firstValue("x-tollgate-request-id");
    assertThat(id).isPresent();
    return id.get();
  }

  private static String accessLog() throws IOException {
    Path file = gateway.dir().resolve("access.log");
    return Files.exists(file) ? Files.readString(file) : "";
  }

  /** The JSON lines of a log; Envoy's own (non-JSON) lines are skipped. */
  private static List<JsonNode> lines(String log) {
    List<JsonNode> lines = new ArrayList<>();
    for (String text : log.split("\n")) {
      if (text.startsWith("{")) {
        try {
          lines.add(TestGateway.JSON.readTree(text));
        } catch (IOException e) {
          throw new AssertionError("not one JSON object per line: " + text, e);
        }
      }
    }
    return lines;
  }

  interface LogText {
    String read() throws IOException;
  }

  /** Envoy writes a line when the request is over and flushes its log about once a second. */
  private static JsonNode awaitLine(LogText log, String requestId) {
    AtomicReference<JsonNode> found = new AtomicReference<>();
    TestGateway.waitFor(Duration.ofSeconds(15), () -> {
      List<JsonNode> lines;
      try {
        lines = lines(log.read());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      List<JsonNode> matching = lines.stream()
          .filter(line -> line.path("request_id").asText().equals(requestId)).toList();
      assertThat(matching).hasSizeLessThanOrEqualTo(1);
      found.set(matching.isEmpty() ? null : matching.get(0));
      return found.get() != null;
    }, "the access-log line of request " + requestId);
    return found.get();
  }
}
