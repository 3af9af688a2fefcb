package dev.tollgate.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.fakeprovider.ReceivedRequest;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The response side through a real Envoy: usage (forced on streams, stripped when the client did
 * not ask, headers on plain answers, metrics), the public model name, error normalisation, field
 * and header rewrites, compressed and broken provider output, and PII on answers, plain and
 * streamed with values split across chunks.
 */
class ResponseSideThroughEnvoyTest extends OwnConfigThroughEnvoyTest {
  static final String CONFIG = """
      listener: { address: 127.0.0.1, port: {{LISTENER_PORT}} }
      control_plane: { address: 127.0.0.1, grpc_port: {{GRPC_PORT}}, admin_port: {{ADMIN_PORT}} }
      limits: { max_request_body_bytes: 65536 }
      backends:
        - name: primary
          kind: openai
          endpoints: [ { host: 127.0.0.1, port: {{FAKE_PORT}} } ]
          credential: file:{{CREDENTIAL_FILE}}
      models:
        - name: gpt-4o-mini
          targets: [ { backend: primary, model: gpt-4o-mini-2024-07-18 } ]
        - name: gpt-4o-pii
          targets: [ { backend: primary, model: gpt-4o-2024-08-06 } ]
        - name: gpt-4o-rewrite
          targets: [ { backend: primary, model: rewrite-upstream } ]
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
        - name: rewrite
          match: { models: [ gpt-4o-rewrite ] }
          response:
            public_model_name: false
            usage_headers: false
            remove_fields: [ system_fingerprint, choices.logprobs ]
            rename_fields: { service_tier: tier }
            remove_headers: [ x-fake-provider-name ]
            rename_headers: { x-fake-provider-received-model: x-upstream-model }
      """;
  static final String BEHAVIOR = "x-fake-provider-behavior";
  @Override
  String config() {
    return CONFIG;
  }

  static String chat(String model, String text, boolean stream, Boolean includeUsage) {
    return "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]"
        + (stream ? ",\"stream\":true" : "")
        + (includeUsage == null ? "" : ",\"stream_options\":{\"include_usage\":" + includeUsage + "}") + "}";
  }

  HttpResponse<String> post(String body, String behavior) {
    return gateway.post("/v1/chat/completions", TestGateway.ALICE_KEY, body,
        behavior == null ? Map.of() : Map.of(BEHAVIOR, behavior));
  }

  /** The events of an SSE body: parsed chunks, and whether it ended with [DONE]. */
  record Events(List<JsonNode> chunks, boolean done) {
    String text() {
      StringBuilder text = new StringBuilder();
      chunks.forEach(chunk -> chunk.path("choices").forEach(
          choice -> text.append(choice.path("delta").path("content").asText(""))));
      return text.toString();
    }
  }

  static Events events(String body) throws Exception {
    List<JsonNode> chunks = new ArrayList<>();
    boolean done = false;
    // Any of the three line ends the SSE format allows; a blank line ends an event.
    for (String block : body.replace("\r\n", "\n").replace('\r', '\n').split("\n\n")) {
      if (block.isBlank() || block.startsWith(":")) {
        continue;
      }
      assertThat(block).startsWith("data: ");
      String data = block.substring("data: ".length());
      if (data.equals("[DONE]")) {
        done = true;
      } else {
        chunks.add(TestGateway.JSON.readTree(data));
      }
    }
    return new Events(chunks, done);
  }

  /** Sum of a Prometheus series over every label set containing all the given label pairs. */
  static double metric(String name, String... labels) throws Exception {
    String text = gateway.send(HttpRequest.newBuilder(URI.create(
        "http://127.0.0.1:" + gateway.runtime().adminPort() + "/metrics")).build()).body();
    double sum = 0;
    for (String line : text.split("\n")) {
      if (!line.startsWith(name + "{") && !line.startsWith(name + " ")) {
        continue;
      }
      boolean all = true;
      for (String label : labels) {
        all &= line.contains(label);
      }
      if (all) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }

  @Test
  void plainAnswerCarriesThePublicModelUsageHeadersAndIsMetered() throws Exception {
    double inputBefore = metric("gen_ai_client_token_usage_sum", "gen_ai_token_type=\"input\"",
        "gen_ai_request_model=\"gpt-4o-mini\"");
    double outputBefore = metric("gen_ai_client_token_usage_sum", "gen_ai_token_type=\"output\"",
        "gen_ai_request_model=\"gpt-4o-mini\"");

    HttpResponse<String> response = post(chat("gpt-4o-mini", "Hello there", false, null), null);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonNode body = TestGateway.JSON.readTree(response.body());
    assertThat(body.path("model").asText()).isEqualTo("gpt-4o-mini");
    JsonNode usage = body.path("usage");
    assertThat(response.headers().firstValue("x-tollgate-usage-prompt-tokens"))
        .contains(usage.path("prompt_tokens").asText());
    assertThat(response.headers().firstValue("x-tollgate-usage-completion-tokens"))
        .contains(usage.path("completion_tokens").asText());
    assertThat(response.headers().firstValue("x-tollgate-usage-total-tokens"))
        .contains(usage.path("total_tokens").asText());
    assertThat(response.headers().firstValue("x-tollgate-usage-cached-tokens")).contains("0");
    // The provider answered under its own name for the target.
    assertThat(gateway.provider().receivedRequests().get(0).model()).isEqualTo("gpt-4o-mini-2024-07-18");
    assertThat(gateway.provider().receivedRequests().get(0).headers().get("accept-encoding")).containsExactly("identity");
    TestGateway.waitFor(java.time.Duration.ofSeconds(5), () -> {
      try {
        return metric("gen_ai_client_token_usage_sum", "gen_ai_token_type=\"input\"",
            "gen_ai_request_model=\"gpt-4o-mini\"") - inputBefore == usage.path("prompt_tokens").asDouble();
      } catch (Exception e) {
        return false;
      }
    }, "input tokens metered");
    assertThat(metric("gen_ai_client_token_usage_sum", "gen_ai_token_type=\"output\"",
        "gen_ai_request_model=\"gpt-4o-mini\"") - outputBefore).isEqualTo(usage.path("completion_tokens").asDouble());
  }

  @Test
  void streamsAreAskedForUsageWhichTheClientOnlySeesWhenItAskedToo() throws Exception {
    HttpResponse<String> asked = post(chat("gpt-4o-mini", "Count me", true, true), null);
    Events withUsage = events(asked.body());
    assertThat(withUsage.done()).isTrue();
    JsonNode last = withUsage.chunks().get(withUsage.chunks().size() - 1);
    assertThat(last.path("choices")).isEmpty();
    JsonNode usage = last.path("usage");
    assertThat(usage.path("total_tokens").asInt()).isPositive();
    assertThat(withUsage.chunks().get(0).has("usage")).isTrue(); // "usage": null, as OpenAI sends it
    assertThat(withUsage.chunks()).allSatisfy(chunk -> assertThat(chunk.path("model").asText()).isEqualTo("gpt-4o-mini"));

    gateway.provider().clearReceivedRequests();
    double outputBefore = metric("gen_ai_client_token_usage_sum", "gen_ai_token_type=\"output\"",
        "gen_ai_request_model=\"gpt-4o-mini\"");
    double ttftBefore = metric("gen_ai_server_time_to_first_token_seconds_count", "gen_ai_request_model=\"gpt-4o-mini\"");
    HttpResponse<String> notAsked = post(chat("gpt-4o-mini", "Count me", true, null), null);

    ReceivedRequest upstream = gateway.provider().receivedRequests().get(0);
    assertThat(TestGateway.JSON.readTree(upstream.body()).path("stream_options").path("include_usage").asBoolean()).isTrue();
    Events without = events(notAsked.body());
    assertThat(without.done()).isTrue();
    assertThat(without.chunks()).isNotEmpty().allSatisfy(chunk -> {
      assertThat(chunk.path("usage").isObject()).isFalse(); // at most "usage": null, never counts
      assertThat(chunk.path("choices")).isNotEmpty();
      assertThat(chunk.path("model").asText()).isEqualTo("gpt-4o-mini");
    });
    assertThat(without.text()).isEqualTo(withUsage.text());
    TestGateway.waitFor(java.time.Duration.ofSeconds(5), () -> {
      try {
        return metric("gen_ai_client_token_usage_sum", "gen_ai_token_type=\"output\"",
            "gen_ai_request_model=\"gpt-4o-mini\"") - outputBefore == usage.path("completion_tokens").asDouble();
      } catch (Exception e) {
        return false;
      }
    }, "streamed output tokens metered from the provider's usage");
    assertThat(metric("gen_ai_server_time_to_first_token_seconds_count", "gen_ai_request_model=\"gpt-4o-mini\"") - ttftBefore)
        .isEqualTo(1);
  }

  @Test
  void providerErrorsReachTheClientInOpenAisShapeWithTheirStatus() throws Exception {
    HttpResponse<String> html = post(chat("gpt-4o-mini", "hi", false, null), "status-502-html");
    assertThat(html.statusCode()).as(html.body()).isEqualTo(502);
    assertThat(html.headers().firstValue("content-type")).contains("application/json");
    JsonNode error = TestGateway.JSON.readTree(html.body()).path("error");
    assertThat(error.path("message").asText()).contains("HTTP 502");
    assertThat(error.path("type").asText()).isEqualTo("api_error");
    assertThat(error.path("code").asText()).isEqualTo("upstream_error");
    assertThat(error.has("param")).isTrue();

    HttpResponse<String> detail = post(chat("gpt-4o-mini", "hi", false, null), "status-400-detail");
    assertThat(detail.statusCode()).isEqualTo(400);
    JsonNode detailError = TestGateway.JSON.readTree(detail.body()).path("error");
    assertThat(detailError.path("message").asText()).isEqualTo("simulated 400 from the fake provider");
    assertThat(detailError.path("type").asText()).isEqualTo("invalid_request_error");

    HttpResponse<String> openAi = post(chat("gpt-4o-mini", "hi", false, null), "status-429");
    assertThat(openAi.statusCode()).isEqualTo(429);
    assertThat(TestGateway.JSON.readTree(openAi.body()).path("error").path("message").asText()).isNotBlank();
  }

  @Test
  void aPolicyRemovesAndRenamesFieldsAndHeadersAndKeepsTheUpstreamModelName() throws Exception {
    HttpResponse<String> response = post(chat("gpt-4o-rewrite", "hi", false, null), null);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonNode body = TestGateway.JSON.readTree(response.body());
    assertThat(body.has("system_fingerprint")).isFalse();
    assertThat(body.path("choices").get(0).has("logprobs")).isFalse();
    assertThat(body.has("service_tier")).isFalse();
    assertThat(body.path("tier").asText()).isEqualTo("default");
    assertThat(body.path("model").asText()).isEqualTo("rewrite-upstream");
    assertThat(response.headers().firstValue("x-fake-provider-name")).isEmpty();
    assertThat(response.headers().firstValue("x-fake-provider-received-model")).isEmpty();
    assertThat(response.headers().firstValue("x-upstream-model")).contains("rewrite-upstream");
    assertThat(response.headers().firstValue("x-tollgate-usage-total-tokens")).isEmpty();

    Events stream = events(post(chat("gpt-4o-rewrite", "hi", true, null), null).body());
    assertThat(stream.done()).isTrue();
    assertThat(stream.chunks()).allSatisfy(chunk -> {
      assertThat(chunk.has("system_fingerprint")).isFalse();
      assertThat(chunk.path("tier").asText()).isEqualTo("default");
    });
  }

  @Test
  void aGzipAnswerIsDecodedAndRewrittenPlainAndStreamed() throws Exception {
    HttpResponse<String> plain = post(chat("gpt-4o-mini", "Hello there", false, null), "gzip");
    assertThat(plain.statusCode()).isEqualTo(200);
    assertThat(plain.headers().firstValue("content-encoding")).isEmpty();
    JsonNode body = TestGateway.JSON.readTree(plain.body());
    assertThat(body.path("model").asText()).isEqualTo("gpt-4o-mini");
    assertThat(plain.headers().firstValue("x-tollgate-usage-total-tokens"))
        .contains(body.path("usage").path("total_tokens").asText());

    HttpResponse<String> streamed = post(chat("gpt-4o-mini", "Hello there", true, null), "gzip");
    assertThat(streamed.headers().firstValue("content-encoding")).isEmpty();
    Events events = events(streamed.body());
    assertThat(events.done()).isTrue();
    assertThat(events.text()).contains("You said: Hello there");
    assertThat(events.chunks()).allSatisfy(chunk -> assertThat(chunk.path("choices")).isNotEmpty());
  }

  @Test
  void brokenTruncatedFailedAndSplitStreamsEachHaveADefinedOutcome() throws Exception {
    double brokenBefore = metric("tollgate_response_broken_events_total");
    Events broken = events(post(chat("gpt-4o-mini", "Hello there", true, null), "sse-broken").body());
    assertThat(broken.done()).isTrue();
    assertThat(broken.text()).contains("You said: Hello there");
    TestGateway.waitFor(java.time.Duration.ofSeconds(5), () -> {
      try {
        return metric("tollgate_response_broken_events_total") - brokenBefore >= 1;
      } catch (Exception e) {
        return false;
      }
    }, "the dropped event counted");

    HttpResponse<String> truncated = post(chat("gpt-4o-mini", "Hello there", true, null), "sse-truncated");
    assertThat(truncated.statusCode()).isEqualTo(200);
    Events cut = events(truncated.body());
    assertThat(cut.done()).isFalse();
    assertThat(cut.text()).contains("You said: Hello there");

    Events failed = events(post(chat("gpt-4o-mini", "Hello there", true, null), "sse-error").body());
    assertThat(failed.done()).isFalse();
    assertThat(failed.chunks().get(failed.chunks().size() - 1).path("error").path("type").asText())
        .isEqualTo("server_error");

    Events split = events(post(chat("gpt-4o-mini", "Hello there", true, null), "sse-split").body());
    assertThat(split.done()).isTrue();
    assertThat(split.text()).contains("You said: Hello there");
    assertThat(split.chunks()).allSatisfy(chunk -> assertThat(chunk.path("model").asText()).isEqualTo("gpt-4o-mini"));
  }

  @Test
  void piiIsRestoredAndMaskedInAPlainAnswer() throws Exception {
    HttpResponse<String> response = post(chat("gpt-4o-pii", "mail jane.doe@example.com re TCK-123456", false, null), null);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    String upstream = gateway.provider().receivedRequests().get(0).body();
    assertThat(upstream).doesNotContain("jane.doe@example.com").contains("<EMAIL_1>");
    String answer = TestGateway.JSON.readTree(response.body()).path("choices").get(0).path("message").path("content").asText();
    assertThat(answer).contains("mail jane.doe@example.com re [TICKET]").doesNotContain("TCK-123456", "<EMAIL_1>");
  }

  @Test
  void piiIsRestoredAndMaskedInAStreamWhereEveryCharacterIsItsOwnChunk() throws Exception {
    HttpResponse<String> response = post(chat("gpt-4o-pii", "mail jane.doe@example.com re TCK-123456", true, null),
        "sse-per-char");

    assertThat(response.statusCode()).isEqualTo(200);
    Events events = events(response.body());
    assertThat(events.done()).isTrue();
    assertThat(events.chunks().size()).isGreaterThan(40); // one per character: every value was split
    assertThat(events.text()).contains("mail jane.doe@example.com re [TICKET]");
    assertThat(response.body()).doesNotContain("TCK-", "<EMAIL_1>");
  }
}
