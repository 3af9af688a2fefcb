package dev.tollgate.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Model-generated tool calls through a real Envoy: an e-mail address in a request's tool-call
 * arguments is pseudonymised before the provider and comes back in the answer's tool-call
 * arguments, plain and streamed (the placeholder split across chunks); a value the policy masks on
 * responses is masked there; the response-side counts reach the audit record and /metrics, and
 * the audited prompt holds no PII value; and a provider streaming endless tool-call arguments
 * past the budget's reservation is cut as OpenAI cuts at max_tokens.
 */
class ToolCallPiiThroughEnvoyTest extends OwnConfigThroughEnvoyTest {
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
        - name: gpt-4o-pii
          targets: [ { backend: primary } ]
        - name: gpt-4o
          targets: [ { backend: primary } ]
      consumers:
        - { name: alice, api_keys: [ "sha256:{{ALICE_HASH}}" ], models: [ "*" ] }
        - { name: gina, api_keys: [ "sha256:%s" ], models: [ "*" ] }
      audit_log: { path: "{{DIR}}/audit.jsonl" }
      policies:
        - name: tools-pii
          match: { models: [ gpt-4o-pii ] }
          pii:
            request: { EMAIL: pseudonymize }
            response: { TICKET: mask }
            custom: [ { entity: TICKET, pattern: "TCK-[0-9]{6}" } ]
          audit: { include_prompt: true }
      budgets:
        default_max_tokens: 50
        limits:
          - { name: gina-daily, consumer: gina, window: day, tokens: 100000, rolling: true }
      """.formatted(TestGateway.sha256(BudgetConfigs.GINA_KEY));
  static final String BEHAVIOR = "x-fake-provider-behavior";
  static final String EMAIL = "jane.doe@example.com";
  static final String TICKET = "TCK-123456";
  /** What the assistant called last turn; the fake echoes these calls as its answer. */
  static final String ARGUMENTS = "{\"to\":\"" + EMAIL + "\",\"ref\":\"" + TICKET + "\",\"body\":\"Hi \\\"Jane\\\"\"}";

  @Override
  String config() {
    return CONFIG;
  }

  /** A conversation whose last assistant turn called send_mail with these arguments. */
  static String conversation(String model, String arguments, boolean stream, Integer maxTokens) {
    ObjectNode body = TestGateway.JSON.createObjectNode().put("model", model);
    if (stream) {
      body.put("stream", true).putObject("stream_options").put("include_usage", true);
    }
    if (maxTokens != null) {
      body.put("max_tokens", maxTokens);
    }
    ArrayNode messages = body.putArray("messages");
    messages.addObject().put("role", "user").put("content", "Send the mail again, please.");
    ObjectNode assistant = messages.addObject().put("role", "assistant");
    assistant.putNull("content");
    ObjectNode call = assistant.putArray("tool_calls").addObject().put("id", "call_1").put("type", "function");
    call.putObject("function").put("name", "send_mail").put("arguments", arguments);
    messages.addObject().put("role", "tool").put("tool_call_id", "call_1").put("content", "bounced");
    return body.toString();
  }

  HttpResponse<String> post(String key, String body, String behavior) {
    return gateway.post("/v1/chat/completions", key, body, Map.of(BEHAVIOR, behavior));
  }

  /** The data chunks of an SSE body; asserts it ended with exactly one [DONE]. */
  static List<JsonNode> chunks(String sse) throws IOException {
    assertThat(sse.strip()).endsWith("data: [DONE]");
    assertThat(sse.indexOf("data: [DONE]")).isEqualTo(sse.lastIndexOf("data: [DONE]"));
    List<JsonNode> chunks = new ArrayList<>();
    for (String block : sse.split("\n\n")) {
      if (block.startsWith("data: {")) {
        chunks.add(TestGateway.JSON.readTree(block.substring("data: ".length())));
      }
    }
    return chunks;
  }

  /** Each streamed tool call's arguments, joined by index as a client's accumulator joins them. */
  static Map<Integer, String> streamedArguments(List<JsonNode> chunks) {
    Map<Integer, String> calls = new TreeMap<>();
    for (JsonNode chunk : chunks) {
      for (JsonNode call : chunk.at("/choices/0/delta/tool_calls")) {
        calls.merge(call.path("index").asInt(), call.path("function").path("arguments").asText(""), String::concat);
      }
    }
    return calls;
  }

  /** What the provider got as the assistant's tool-call arguments. */
  static String upstreamArguments() throws IOException {
    assertThat(gateway.provider().receivedRequests()).hasSize(1);
    JsonNode sent = TestGateway.JSON.readTree(gateway.provider().receivedRequests().get(0).body());
    return sent.at("/messages/1/tool_calls/0/function/arguments").asText();
  }

  @Test
  void aPlainAnswersToolCallGetsTheOriginalBackAndTheTicketMasked() throws Exception {
    HttpResponse<String> response = post(TestGateway.ALICE_KEY, conversation("gpt-4o-pii", ARGUMENTS, false, null),
        "tool-call");

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    // The provider saw a placeholder, not the address; the ticket has no request action.
    assertThat(upstreamArguments()).contains("<EMAIL_1>", TICKET).doesNotContain(EMAIL);
    JsonNode choice = TestGateway.JSON.readTree(response.body()).path("choices").path(0);
    assertThat(choice.path("finish_reason").asText()).isEqualTo("tool_calls");
    JsonNode call = choice.at("/message/tool_calls/0");
    assertThat(call.at("/function/name").asText()).isEqualTo("send_mail");
    JsonNode arguments = TestGateway.JSON.readTree(call.at("/function/arguments").asText());
    assertThat(arguments.path("to").asText()).isEqualTo(EMAIL);
    assertThat(arguments.path("ref").asText()).isEqualTo("[TICKET]");
    assertThat(arguments.path("body").asText()).isEqualTo("Hi \"Jane\"");
    assertThat(response.body()).doesNotContain("EMAIL_1", TICKET);

    JsonNode record = auditRecord(response);
    assertThat(record.at("/pii/request/EMAIL").asInt()).isEqualTo(1);
    assertThat(record.at("/pii/response/TICKET").asInt()).isEqualTo(1);
    // The audited prompt is what the provider saw, with every PII value masked for the log.
    assertThat(record.path("prompt").toString()).contains("<EMAIL_1>", "[TICKET]").doesNotContain(EMAIL, TICKET);
    assertThat(metrics()).contains(
        "tollgate_pii_entities_total{direction=\"response\",entity_type=\"TICKET\",policy=\"tools-pii\"}");
  }

  @Test
  void aStreamedToolCallIsRestoredAndMaskedThoughEveryValueIsSplitAcrossChunks() throws Exception {
    HttpResponse<String> response = post(TestGateway.ALICE_KEY, conversation("gpt-4o-pii", ARGUMENTS, true, null),
        "tool-call");

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(upstreamArguments()).contains("<EMAIL_1>").doesNotContain(EMAIL);
    List<JsonNode> chunks = chunks(response.body());
    // The fake streams arguments four characters a chunk: "<EMAIL_1>" and the ticket arrive in pieces.
    assertThat(chunks.size()).isGreaterThan(15);
    assertThat(chunks.get(0).at("/choices/0/delta/tool_calls/0/function/name").asText()).isEqualTo("send_mail");
    JsonNode arguments = TestGateway.JSON.readTree(streamedArguments(chunks).get(0));
    assertThat(arguments.path("to").asText()).isEqualTo(EMAIL);
    assertThat(arguments.path("ref").asText()).isEqualTo("[TICKET]");
    assertThat(arguments.path("body").asText()).isEqualTo("Hi \"Jane\"");
    assertThat(response.body()).doesNotContain("EMAIL_1", "TCK-");
    boolean finished = chunks.stream().anyMatch(chunk -> chunk.at("/choices/0/finish_reason").asText().equals("tool_calls"));
    assertThat(finished).isTrue();

    JsonNode record = auditRecord(response);
    assertThat(record.at("/pii/response/TICKET").asInt()).isEqualTo(1);
  }

  @Test
  void endlessStreamedToolCallArgumentsAreCutAtTheBudgetsReservationAndChargedWhatWasDelivered() throws Exception {
    String longArguments = "{\"text\":\"" + "lighthouse keeper ".repeat(150) + "\"}";
    // The same answer in full, to compare with: the provider honours max_tokens 2000 here.
    List<JsonNode> fullChunks = chunks(post(BudgetConfigs.GINA_KEY, conversation("gpt-4o", longArguments, true, 2000),
        "tool-call").body());
    assertThat(streamedArguments(fullChunks).get(0)).isEqualTo(longArguments);
    JsonNode fullUsage = fullChunks.get(fullChunks.size() - 1).path("usage");
    long fullTokens = fullUsage.path("prompt_tokens").asLong() + fullUsage.path("completion_tokens").asLong();
    long leftBefore = tokensLeft();

    // 5 completion tokens reserved; the provider ignores the cap and streams all the arguments.
    HttpResponse<String> cut = post(BudgetConfigs.GINA_KEY, conversation("gpt-4o", longArguments, true, 5),
        "tool-call-ignore-max-tokens");

    assertThat(cut.statusCode()).isEqualTo(200);
    List<JsonNode> chunks = chunks(cut.body());
    JsonNode last = chunks.get(chunks.size() - 1);
    assertThat(last.at("/choices/0/finish_reason").asText()).isEqualTo("length");
    String delivered = streamedArguments(chunks).get(0);
    assertThat(delivered.length()).isPositive().isLessThan(longArguments.length() / 4);
    assertThat(longArguments).startsWith(delivered);
    // Charged the prompt and the arguments before the cut, not what the provider produced.
    long charged = leftBefore - tokensLeft();
    assertThat(charged).isPositive().isLessThan(fullTokens);
  }

  private static long tokensLeft() throws IOException {
    return BudgetConfigs.tokensLeft(BudgetConfigs.assertBudgetExceeded(gateway.post("/v1/chat/completions",
        BudgetConfigs.GINA_KEY, BudgetConfigs.chat("gpt-4o", 1_000_000)), "gina-daily"));
  }

  private static String metrics() {
    return gateway.send(HttpRequest.newBuilder(URI.create(
        "http://127.0.0.1:" + gateway.runtime().adminPort() + "/metrics")).build()).body();
  }

  /** The audit record of this response's request id; allowed ones land when the stream ends. */
  private static JsonNode auditRecord(HttpResponse<String> response) {
    String id = response.headers().firstValue("x-tollgate-request-id").orElseThrow();
    Path file = gateway.dir().resolve("audit.jsonl");
    JsonNode[] found = new JsonNode[1];
    TestGateway.waitFor(Duration.ofSeconds(5), () -> {
      try {
        if (Files.exists(file)) {
          for (String line : Files.readAllLines(file)) {
            JsonNode record = TestGateway.JSON.readTree(line);
            if (record.path("request_id").asText().equals(id)) {
              found[0] = record;
            }
          }
        }
      } catch (IOException e) {
        return false;
      }
      return found[0] != null;
    }, "the audit record of " + id);
    return found[0];
  }
}
