package dev.tollgate.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.core.usage.RemoteUsageTarget;
import dev.tollgate.core.usage.UsageRecord;
import dev.tollgate.store.UsageLedger;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.net.http.HttpResponse;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The usage ledger end to end in the split deployment: requests through Envoy → the ext services'
 * queue → the control plane's usage report method → the {@code usage_ledger} table → the admin
 * API and {@code tollgate usage}. Run once per kind of store.
 */
abstract class LedgerThroughEnvoyTestBase extends AdminSplitTestBase {
  static final String ALICE_KEY = "tg-test-alice-key-0001";
  static final String BOB_KEY = "tg-test-bob-key-0002";
  /** USD per million tokens: 1000 input and 2000 output make a token cost 1e6 and 2e6 nano-USD. */
  static final long INPUT_NANOS = 1_000_000;
  static final long OUTPUT_NANOS = 2_000_000;
  static final String CONFIG = """
      listener: { address: 127.0.0.1, port: {{LISTENER_PORT}} }
      control_plane: { address: 127.0.0.1, grpc_port: {{GRPC_PORT}}, admin_port: {{ADMIN_PORT}}, admin_token: "file:{{TOKEN_FILE}}" }
      ext_services: { address: 127.0.0.1, port: {{EXT_PORT}} }
      backends:
        - name: primary
          kind: openai-compatible
          endpoints: [ { host: 127.0.0.1, port: {{FAKE_PORT}} } ]
        - name: secondary
          kind: openai-compatible
          endpoints: [ { host: 127.0.0.1, port: {{FAKE_PORT}} } ]
      models:
        - name: gpt-4o
          targets: [ { backend: primary } ]
        - name: gpt-4o-mini
          targets: [ { backend: secondary } ]
        - name: gpt-4o-split
          targets: [ { backend: primary, weight: 1 }, { backend: secondary, weight: 1 } ]
      prices:
        - { model: gpt-4o, input: 1000, output: 2000 }
        - { model: gpt-4o-mini, input: 1000, output: 2000 }
        # One model, a price per backend: each request is charged at the price of the one that answered.
        - { model: gpt-4o-split, backend: primary, input: 1000, output: 2000 }
        - { model: gpt-4o-split, backend: secondary, input: 3000, output: 7000 }
      budgets:
        limits:
          - { name: research-daily, team: research, window: day, tokens: 1000000 }
          - { name: everyone-hourly-usd, consumer: "*", window: hour, usd: 100 }
      teams:
        - name: research
        - name: sales
      consumers:
        - name: alice
          team: research
          api_keys: [ "sha256:{{ALICE_HASH}}" ]
          models: [ "*" ]
        - name: bob
          team: sales
          api_keys: [ "sha256:{{BOB_HASH}}" ]
          models: [ "*" ]
      {{STORE}}
      """;

  @BeforeEach
  void start() throws Exception {
    startSplit("tollgate-ledger-", "ledger", CONFIG,
        Map.of("ALICE_HASH", TestGateway.sha256(ALICE_KEY), "BOB_HASH", TestGateway.sha256(BOB_KEY)));
    TestGateway.waitFor(Duration.ofSeconds(20), () -> status(send(ALICE_KEY, TestGateway.chat("gpt-4o"))) == 200,
        "the split deployment to answer");
    // The readiness probes are requests too: start each test from what they left.
    TestGateway.waitFor(Duration.ofSeconds(10), () -> gateway.extServicesPendingUsage() == 0, "probes in the ledger");
  }

  HttpResponse<String> send(String key, String body) {
    return post(gateway.baseUrl(), key, body);
  }

  static String requestId(HttpResponse<String> response) {
    return response.headers().firstValue("x-tollgate-request-id").orElseThrow();
  }

  /** The usage the client was told: the JSON body's, or a stream's last chunk with usage. */
  static JsonNode usageTold(HttpResponse<String> response) throws Exception {
    String body = response.body();
    if (!body.startsWith("data:")) {
      return TestGateway.JSON.readTree(body).path("usage");
    }
    JsonNode usage = null;
    for (String line : body.split("\n")) {
      if (line.startsWith("data: {")) {
        JsonNode chunk = TestGateway.JSON.readTree(line.substring(6));
        if (chunk.hasNonNull("usage")) {
          usage = chunk.get("usage");
        }
      }
    }
    return usage;
  }

  UsageLedger ledger() {
    return gateway.controlPlane().usageLedger().ledger();
  }

  UsageRecord awaitRecord(String requestId) {
    UsageRecord[] found = new UsageRecord[1];
    TestGateway.waitFor(Duration.ofSeconds(15), () -> {
      try {
        found[0] = ledger().find(requestId).orElse(null);
      } catch (SQLException e) {
        return false;
      }
      return found[0] != null;
    }, "the ledger row of " + requestId);
    return found[0];
  }

  @Test
  void eachRequestLeavesOneRowWithTheTokensTheClientWasToldAndTheApiAndCliAddThemUp() throws Exception {
    // The day budget's spend below is the ledger's since midnight: keep the test's rows in one day.
    BudgetConfigs.clearOfMidnight(Duration.ofSeconds(30));
    List<HttpResponse<String>> answered = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      answered.add(send(ALICE_KEY, TestGateway.chat("gpt-4o")));
    }
    answered.add(send(BOB_KEY, TestGateway.chat("gpt-4o-mini")));
    answered.add(send(BOB_KEY, "{\"model\":\"gpt-4o-mini\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"Tell me a longer story please\"}]}"));
    HttpResponse<String> refused = send(BOB_KEY, TestGateway.chat("no-such-model"));
    assertThat(status(refused)).isEqualTo(404);

    long prompt = 0;
    long completion = 0;
    long researchTokens = 0;
    for (HttpResponse<String> response : answered) {
      assertThat(status(response)).as(response.body()).isEqualTo(200);
      JsonNode told = usageTold(response);
      assertThat(told).as("usage in " + response.body()).isNotNull();
      UsageRecord row = awaitRecord(requestId(response));
      boolean alice = row.consumer().equals("alice");
      assertThat(row.team()).isEqualTo(alice ? "research" : "sales");
      assertThat(row.model()).isEqualTo(alice ? "gpt-4o" : "gpt-4o-mini");
      assertThat(row.backend()).isEqualTo(alice ? "primary" : "secondary");
      assertThat(row.endpoint()).isEqualTo("/v1/chat/completions");
      assertThat(row.status()).isEqualTo(200);
      assertThat(row.promptTokens()).isEqualTo(told.path("prompt_tokens").asLong());
      assertThat(row.completionTokens()).isEqualTo(told.path("completion_tokens").asLong());
      assertThat(row.completionTokens()).isPositive();
      assertThat(row.costNanos()).isEqualTo(row.promptTokens() * INPUT_NANOS + row.completionTokens() * OUTPUT_NANOS);
      assertThat(row.estimated()).isFalse();
      assertThat(row.latencyMs()).isNotNegative();
      prompt += row.promptTokens();
      completion += row.completionTokens();
      researchTokens += alice ? row.totalTokens() : 0;
      // The backend's name is for the ledger, not for the client.
      assertThat(response.headers().firstValue("x-tollgate-backend")).isEmpty();
    }
    UsageRecord refusedRow = awaitRecord(requestId(refused));
    assertThat(refusedRow.status()).isEqualTo(404);
    assertThat(refusedRow.consumer()).isEqualTo("bob");
    assertThat(refusedRow.model()).isEqualTo("no-such-model");
    assertThat(refusedRow.totalTokens()).isZero();
    assertThat(refusedRow.costNanos()).isZero();

    // The API, from the first row's minute on (the readiness probes came before).
    long first = Long.MAX_VALUE;
    for (HttpResponse<String> response : answered) {
      first = Math.min(first, ledger().find(requestId(response)).orElseThrow().timeMs());
    }
    String from = java.time.Instant.ofEpochMilli(first).toString();
    AdminApiClient.Answer byTeam = admin.get("/admin/usage?group_by=team&from=" + from);
    assertThat(byTeam.status()).as(byTeam.body().toString()).isEqualTo(200);
    JsonNode totals = byTeam.body().path("totals");
    assertThat(totals.path("requests").asLong()).isEqualTo(6);
    assertThat(totals.path("errors").asLong()).isEqualTo(1);
    assertThat(totals.path("prompt_tokens").asLong()).isEqualTo(prompt);
    assertThat(totals.path("completion_tokens").asLong()).isEqualTo(completion);
    assertThat(totals.path("cost_nanos").asLong()).isEqualTo(prompt * INPUT_NANOS + completion * OUTPUT_NANOS);
    assertThat(byTeam.body().path("data").findValuesAsText("team")).containsExactly("research", "sales");
    assertThat(byTeam.body().path("data").get(0).path("requests").asLong()).isEqualTo(3);
    assertThat(byTeam.body().path("data").get(0).path("total_tokens").asLong()).isEqualTo(researchTokens);

    AdminApiClient.Answer byBackend = admin.get("/admin/usage?group_by=backend&consumer=bob&from=" + from);
    // bob's refused request reached no backend: its group is null.
    assertThat(byBackend.body().path("data").findValuesAsText("backend")).containsExactly("null", "secondary");

    AdminApiClient.Answer series = admin.get("/admin/usage?bucket=minute&group_by=model&from=" + from);
    assertThat(series.status()).isEqualTo(200);
    long seriesRequests = 0;
    for (JsonNode point : series.body().path("data")) {
      assertThat(point.path("bucket_start").asText()).endsWith(":00Z");
      seriesRequests += point.path("requests").asLong();
    }
    assertThat(seriesRequests).isEqualTo(6);

    // Remaining budget from the ledger: the team budget and a line per consumer of the "*" one.
    AdminApiClient.Answer budgets = admin.get("/admin/usage/budgets");
    assertThat(budgets.status()).as(budgets.body().toString()).isEqualTo(200);
    JsonNode research = budgets.body().path("data").get(0);
    assertThat(research.path("name").asText()).isEqualTo("research-daily");
    // The readiness probes were alice's too, so at least what this test sent.
    long spent = research.path("spent_tokens").asLong();
    assertThat(spent).isGreaterThanOrEqualTo(researchTokens);
    assertThat(research.path("remaining_tokens").asLong()).isEqualTo(1_000_000 - spent);
    assertThat(research.path("resets_at").asText()).endsWith("T00:00:00Z");
    assertThat(budgets.body().path("data").findValuesAsText("consumer")).contains("alice", "bob");

    // The CLI over the same API.
    AdminCli.Result table = cli.run("usage", "--by", "consumer", "--from", from);
    assertThat(table.exitCode()).as(table.err()).isZero();
    assertThat(table.out()).contains("CONSUMER").contains("alice").contains("bob").contains("TOTAL");
    AdminCli.Result json = cli.run("usage", "--json", "--from", from, "--consumer", "alice");
    assertThat(TestGateway.JSON.readTree(json.out()).path("totals").path("requests").asLong()).isEqualTo(3);
    AdminCli.Result budgetTable = cli.run("usage", "budgets", "--name", "research-daily");
    assertThat(budgetTable.exitCode()).as(budgetTable.err()).isZero();
    assertThat(budgetTable.out()).contains("research-daily").contains(Long.toString(1_000_000 - spent));

    // Errors: OpenAI-shaped, naming the parameter.
    AdminApiClient.Answer badBucket = admin.get("/admin/usage?bucket=week");
    assertThat(badBucket.status()).isEqualTo(400);
    assertThat(badBucket.body().path("error").path("param").asText()).isEqualTo("bucket");
    AdminApiClient.Answer badTime = admin.get("/admin/usage?from=yesterday");
    assertThat(badTime.status()).isEqualTo(400);
    assertThat(badTime.body().path("error").path("param").asText()).isEqualTo("from");
    assertThat(admin.get("/admin/usage?group_by=colour").body().path("error").path("param").asText())
        .isEqualTo("group_by");
    assertThat(admin.get("/admin/usage/budgets?name=nope").status()).isEqualTo(404);
    assertThat(admin.send("GET", "/admin/usage", null).body().path("error").path("code").asText())
        .isEqualTo("admin_token_required");
    assertThat(admin.send("GET", "/admin/usage", "wrong").status()).isEqualTo(401);
    assertThat(admin.send("DELETE", "/admin/usage", ADMIN_TOKEN).status()).isEqualTo(405);
    AdminCli.Result cliError = cli.run("usage", "--bucket", "week");
    assertThat(cliError.exitCode()).isEqualTo(1);
    assertThat(cliError.err()).contains("bucket");
  }

  @Test
  void costFollowsTheAnsweringBackendsPriceAndAnAnswerWithoutUsageIsAnEstimate() throws Exception {
    // gpt-4o-split goes to either backend at random; each has its own price. Ask until both answered.
    Map<String, Long> seen = new java.util.HashMap<>();
    for (int i = 0; i < 60 && seen.size() < 2; i++) {
      HttpResponse<String> response = send(ALICE_KEY, TestGateway.chat("gpt-4o-split"));
      assertThat(status(response)).as(response.body()).isEqualTo(200);
      JsonNode told = usageTold(response);
      UsageRecord row = awaitRecord(requestId(response));
      long expected = row.backend().equals("primary")
          ? told.path("prompt_tokens").asLong() * 1_000_000 + told.path("completion_tokens").asLong() * 2_000_000
          : told.path("prompt_tokens").asLong() * 3_000_000 + told.path("completion_tokens").asLong() * 7_000_000;
      assertThat(row.costNanos()).as(row.backend()).isEqualTo(expected);
      seen.put(row.backend(), row.costNanos());
    }
    assertThat(seen).containsOnlyKeys("primary", "secondary");

    // A plain answer without usage (as some OpenAI-compatible servers send): the prompt as the
    // gateway counted it and the answer's text through the same tokenizer, marked estimated.
    HttpResponse<String> bare = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
            java.net.URI.create(gateway.baseUrl() + "/v1/chat/completions")).timeout(Duration.ofSeconds(10))
        .header("authorization", "Bearer " + ALICE_KEY).header("content-type", "application/json")
        .header("x-fake-provider-behavior", "no-usage")
        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(TestGateway.chat("gpt-4o"))).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(status(bare)).as(bare.body()).isEqualTo(200);
    JsonNode answer = TestGateway.JSON.readTree(bare.body());
    assertThat(answer.has("usage")).isFalse();
    long completion = dev.tollgate.inspect.tokens.TokenCounter.shared().count("gpt-4o",
        answer.path("choices").get(0).path("message").path("content").asText());
    UsageRecord row = awaitRecord(requestId(bare));
    assertThat(row.estimated()).isTrue();
    assertThat(row.promptTokens()).isEqualTo(BudgetConfigs.CHAT_PROMPT_TOKENS);
    assertThat(row.completionTokens()).isEqualTo(completion).isPositive();
    assertThat(row.costNanos()).isEqualTo(row.promptTokens() * INPUT_NANOS + completion * OUTPUT_NANOS);
  }

  @Test
  void controlPlaneAwayMidTrafficLosesNoRecordAndResentBatchesCountOnce() throws Exception {
    Set<String> answeredIds = ConcurrentHashMap.newKeySet();
    AtomicBoolean running = new AtomicBoolean(true);
    Thread traffic = new Thread(() -> {
      while (running.get()) {
        HttpResponse<String> response = send(ALICE_KEY, TestGateway.chat("gpt-4o"));
        if (status(response) == 200) {
          answeredIds.add(requestId(response));
        }
      }
    }, "ledger-test-traffic");
    traffic.start();
    try {
      TestGateway.waitFor(Duration.ofSeconds(10), () -> answeredIds.size() >= 5, "traffic before the stop");
      gateway.stopControlPlane();
      int beforeDown = answeredIds.size();
      // Envoy and the ext services keep serving; the records wait in the ext services' queue.
      TestGateway.waitFor(Duration.ofSeconds(15), () -> answeredIds.size() >= beforeDown + 10,
          "traffic while the control plane is away");
      assertThat(gateway.extServicesPendingUsage()).isPositive();
      gateway.startControlPlaneAgain();
      int afterUp = answeredIds.size();
      TestGateway.waitFor(Duration.ofSeconds(15), () -> answeredIds.size() >= afterUp + 5, "traffic after the start");
    } finally {
      running.set(false);
      traffic.join(15_000);
    }
    TestGateway.waitFor(Duration.ofSeconds(30), () -> gateway.extServicesPendingUsage() == 0,
        "the kept records to reach the ledger");
    for (String id : answeredIds) {
      assertThat(ledger().find(id)).as("ledger row of " + id).isPresent();
    }
    long rows = ledger().count();

    // A batch sent again (its answer was lost) is not counted twice.
    List<UsageRecord> again = new ArrayList<>();
    for (String id : answeredIds.stream().limit(20).toList()) {
      again.add(ledger().find(id).orElseThrow());
    }
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", Integer.parseInt(values.get("GRPC_PORT")))
        .usePlaintext().build();
    try {
      new RemoteUsageTarget(channel, "test-resend").deliver(again);
      new RemoteUsageTarget(channel, "test-resend").deliver(again);
    } finally {
      channel.shutdownNow().awaitTermination(2, TimeUnit.SECONDS);
    }
    assertThat(ledger().count()).isEqualTo(rows);
    AdminApiClient.Answer totals = admin.get("/admin/usage?consumer=alice");
    assertThat(totals.body().path("totals").path("requests").asLong()).isEqualTo(rows - countOthers());
  }

  /** Rows of consumers other than alice (none in this test but kept honest). */
  private long countOthers() throws SQLException {
    long now = System.currentTimeMillis();
    return ledger().query(new UsageLedger.Query(0, now + 60_000, "consumer", 0, Map.of())).stream()
        .filter(row -> !"alice".equals(row.group())).mapToLong(UsageLedger.Row::requests).sum();
  }
}
