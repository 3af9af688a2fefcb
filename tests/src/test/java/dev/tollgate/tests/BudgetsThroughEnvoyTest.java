package dev.tollgate.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.fakeprovider.FakeProviderSettings;
import dev.tollgate.fakeprovider.ReceivedRequest;
import dev.tollgate.xds.translate.FilterSet;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Token and money budgets counted in the gateway's memory (no redis section), through Envoy. */
class BudgetsThroughEnvoyTest {
  private static TestGateway gateway;

  @BeforeAll
  static void start() throws Exception {
    // A little provider latency, so concurrent requests are really in flight together.
    gateway = TestGateway.start(BudgetConfigs.inMemory(), FakeProviderSettings.defaults()
        .withDelay(Duration.ofMillis(100)), FilterSet.ALL);
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  private static HttpResponse<String> chat(String key, Integer maxTokens) {
    return gateway.post("/v1/chat/completions", key, BudgetConfigs.chat("gpt-4o", maxTokens));
  }

  @Test
  void aReservationThatDoesNotFitGets429WithTheBudgetAndRetryAfterAndNeverReachesTheProvider() throws Exception {
    BudgetConfigs.clearOfMidnight(Duration.ofSeconds(10)); // calendar windows: not across their reset
    int before = gateway.provider().receivedRequests().size();
    // 200 tokens a day: a prompt plus 500 completion tokens cannot fit, whatever was spent.
    HttpResponse<String> refused = chat(TestGateway.ALICE_KEY, 500);
    String message = BudgetConfigs.assertBudgetExceeded(refused, "alice-daily");
    assertThat(message).contains("consumer 'alice'").contains("200 tokens per day").contains("max_tokens 500");
    // A calendar day: it resets at the next UTC midnight.
    Instant midnight = Instant.now().atZone(ZoneOffset.UTC).toLocalDate().plusDays(1).atStartOfDay(ZoneOffset.UTC)
        .toInstant();
    assertThat(message).contains(midnight.toString());
    long retryAfter = Long.parseLong(refused.headers().firstValue("retry-after").orElseThrow());
    assertThat(retryAfter).isBetween(1L, 86_400L);
    assertThat(refused.headers().firstValue("x-tollgate-request-id")).isPresent();
    assertThat(gateway.provider().receivedRequests()).hasSize(before);
    // A bad max_tokens is the client's mistake, not a budget matter.
    HttpResponse<String> bad = gateway.post("/v1/chat/completions", TestGateway.ALICE_KEY,
        "{\"model\":\"gpt-4o\",\"max_tokens\":-3,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(TestGateway.JSON.readTree(bad.body()).path("error").path("param").asText()).isEqualTo("max_tokens");
  }

  @Test
  void settlementChargesTheActualUsageSoTheNextRequestSeesTheRightRemainder() throws Exception {
    BudgetConfigs.clearOfMidnight(Duration.ofSeconds(10)); // calendar windows: not across their reset
    HttpResponse<String> first = chat(TestGateway.ALICE_KEY, 20);
    assertThat(first.statusCode()).isEqualTo(200);
    long used = BudgetConfigs.totalTokens(first);
    // Only what the provider reported is charged; the reservation's rest (prompt + 20) is released.
    String message = BudgetConfigs.settledRefusal(() -> chat(TestGateway.ALICE_KEY, 100_000), "alice-daily");
    assertThat(BudgetConfigs.tokensLeft(message)).isEqualTo(200 - used);
    // Current spend and what is left, as Prometheus gauges.
    String metrics = gateway.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
        "http://127.0.0.1:" + gateway.runtime().adminPort() + "/metrics")).build()).body();
    assertThat(metrics).contains("tollgate_budget_spent{budget=\"alice-daily\",subject=\"consumer:alice\",unit=\"tokens\"} "
        + used + ".0");
    assertThat(metrics).contains("tollgate_budget_remaining{budget=\"alice-daily\",subject=\"consumer:alice\","
        + "unit=\"tokens\"} " + (200 - used) + ".0");
    assertThat(metrics).contains("tollgate_budget_decisions_total{outcome=\"exceeded\",store=\"memory\"}");
  }

  @Test
  void moneyIsChargedAtThePriceTablesPricesInNanoUsd() throws Exception {
    BudgetConfigs.clearOfMidnight(Duration.ofSeconds(10)); // calendar windows: not across their reset
    HttpResponse<String> first = chat(TestGateway.BOB_KEY, 5);
    assertThat(first.statusCode()).isEqualTo(200);
    JsonNode usage = TestGateway.JSON.readTree(first.body()).path("usage");
    long cost = usage.path("prompt_tokens").asLong() * BudgetConfigs.INPUT_NANOS_PER_TOKEN
        + usage.path("completion_tokens").asLong() * BudgetConfigs.OUTPUT_NANOS_PER_TOKEN;
    String message = BudgetConfigs.settledRefusal(() -> chat(TestGateway.BOB_KEY, 100_000), "bob-gpt-4o");
    assertThat(message).contains("0.05 USD per month").contains("model 'gpt-4o'");
    assertThat(BudgetConfigs.nanosLeft(message)).isEqualTo(50_000_000L - cost);
    // The budget is for gpt-4o only: another model is not counted.
    assertThat(gateway.post("/v1/chat/completions", TestGateway.BOB_KEY, BudgetConfigs.chat("gpt-4o-mini", 100_000))
        .statusCode()).isEqualTo(200);
  }

  @Test
  void withoutMaxTokensTheGatewayWritesItsCapClampedToWhatIsLeft() throws Exception {
    gateway.provider().clearReceivedRequests();
    // Team red has 40 tokens a day, less than the default cap of 50: the cap is what is left
    // after the prompt, and the provider is told so.
    HttpResponse<String> ok = chat(BudgetConfigs.ERIN_KEY, null);
    assertThat(ok.statusCode()).isEqualTo(200);
    ReceivedRequest sent = gateway.provider().receivedRequests().get(0);
    JsonNode body = TestGateway.JSON.readTree(sent.body());
    long cap = body.path("max_completion_tokens").asLong();
    // Nothing of the 40 was spent yet: the cap is exactly what the counted prompt leaves.
    assertThat(cap).isEqualTo(40 - BudgetConfigs.CHAT_PROMPT_TOKENS);
    assertThat(body.has("max_tokens")).isFalse();
    // The client's own max_tokens is never rewritten.
    gateway.provider().clearReceivedRequests();
    HttpResponse<String> own = chat(BudgetConfigs.ERIN_KEY, 2);
    assertThat(own.statusCode()).isEqualTo(200);
    JsonNode ownBody = TestGateway.JSON.readTree(gateway.provider().receivedRequests().get(0).body());
    assertThat(ownBody.path("max_tokens").asLong()).isEqualTo(2);
    assertThat(ownBody.has("max_completion_tokens")).isFalse();
  }

  @Test
  void aPlainAnswerWithoutUsageIsChargedItsPromptAndItsTextAsTheGatewayCountsThem() throws Exception {
    BudgetConfigs.clearOfMidnight(Duration.ofSeconds(10));
    long before = BudgetConfigs.nanosLeft(BudgetConfigs.assertBudgetExceeded(chat(BudgetConfigs.HANK_KEY, 1_000_000),
        "hank-daily"));
    HttpResponse<String> answer = gateway.post("/v1/chat/completions", BudgetConfigs.HANK_KEY,
        BudgetConfigs.chat("gpt-4o", 20), Map.of("x-fake-provider-behavior", "no-usage"));
    assertThat(answer.statusCode()).isEqualTo(200);
    JsonNode body = TestGateway.JSON.readTree(answer.body());
    assertThat(body.has("usage")).isFalse();
    assertThat(answer.headers().firstValue("x-tollgate-usage-total-tokens")).isEmpty();
    String text = body.path("choices").get(0).path("message").path("content").asText();
    long completion = dev.tollgate.inspect.tokens.TokenCounter.shared().count("gpt-4o", text);
    assertThat(completion).isPositive();
    // Not the prompt alone: the answer's text counted with the gateway's tokenizer, at the output price.
    long charged = BudgetConfigs.CHAT_PROMPT_TOKENS * BudgetConfigs.INPUT_NANOS_PER_TOKEN
        + completion * BudgetConfigs.OUTPUT_NANOS_PER_TOKEN;
    String message = BudgetConfigs.settledRefusal(() -> chat(BudgetConfigs.HANK_KEY, 1_000_000), "hank-daily");
    assertThat(before - BudgetConfigs.nanosLeft(message)).isEqualTo(charged);
  }

  @Test
  void fiftyConcurrentRequestsNeverChargeMoreThanTheBudget() throws Exception {
    int clients = 60;
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    List<Future<HttpResponse<String>>> futures = new ArrayList<>();
    try {
      for (int round = 0; round < 4; round++) {
        List<Callable<HttpResponse<String>>> batch = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
          batch.add(() -> chat(BudgetConfigs.CAROL_KEY, 20));
        }
        futures.addAll(pool.invokeAll(batch));
      }
    } finally {
      pool.shutdown();
    }
    long charged = 0;
    int ok = 0;
    int refused = 0;
    int failed = 0;
    for (Future<HttpResponse<String>> future : futures) {
      HttpResponse<String> response = future.get();
      if (response.statusCode() == 200) {
        ok++;
        charged += BudgetConfigs.totalTokens(response);
      } else if (response.statusCode() == 429) {
        BudgetConfigs.assertBudgetExceeded(response, "carol-rolling");
        refused++;
      } else {
        // A loaded machine may time a request out in Envoy; not a budget matter, but counted.
        failed++;
        System.out.println("budget concurrency: a request failed with " + response.statusCode() + ": "
            + response.body());
      }
    }
    String message = BudgetConfigs.assertBudgetExceeded(chat(BudgetConfigs.CAROL_KEY, 100_000), "carol-rolling");
    long left = BudgetConfigs.tokensLeft(message);
    long spent = 1000 - left;
    System.out.printf("budget concurrency: %d requests, %d served, %d refused, %d failed; provider usage %d,"
        + " budget spent %d of 1000 tokens, overshoot %d%n", futures.size(), ok, refused, failed, charged, spent,
        Math.max(0, Math.max(spent, charged) - 1000));
    // The bound (docs/BUDGETS.md): zero while the provider keeps to max_tokens and reports no more
    // prompt tokens than the gateway counted, as the fake does.
    assertThat(charged).isLessThanOrEqualTo(1000);
    assertThat(ok).isPositive();
    assertThat(refused).isPositive();
    if (failed == 0) {
      // Every settlement landed: the store's spend is exactly the provider's usage.
      assertThat(spent).isEqualTo(charged);
    } else {
      // A request Envoy gave up on is charged its counted prompt: the provider may have started it.
      assertThat(spent).isGreaterThanOrEqualTo(charged);
    }
  }

  @Test
  void aCalendarMinuteWindowRollsOver() throws Exception {
    // Keep both requests inside one minute, then cross into the next.
    while (Instant.now().atZone(ZoneOffset.UTC).getSecond() > 45) {
      Thread.sleep(250);
    }
    assertThat(chat(BudgetConfigs.DAVE_KEY, 40).statusCode()).isEqualTo(200);
    HttpResponse<String> refused = chat(BudgetConfigs.DAVE_KEY, 50);
    BudgetConfigs.assertBudgetExceeded(refused, "dave-minute");
    long retryAfter = Long.parseLong(refused.headers().firstValue("retry-after").orElseThrow());
    assertThat(retryAfter).isBetween(1L, 60L);
    Thread.sleep(retryAfter * 1000 + 500);
    assertThat(chat(BudgetConfigs.DAVE_KEY, 50).statusCode()).isEqualTo(200);
  }

  @Test
  void aStreamThatRunsPastItsReservationIsEndedAsOpenAiWould() throws Exception {
    HttpResponse<String> full = gateway.post("/v1/chat/completions", BudgetConfigs.GINA_KEY,
        BudgetConfigs.stream("gpt-4o", 200, true));
    String fullText = text(full.body());
    List<JsonNode> fullChunks = chunks(full.body());
    JsonNode fullUsage = fullChunks.get(fullChunks.size() - 1).path("usage");
    long fullTokens = fullUsage.path("prompt_tokens").asLong() + fullUsage.path("completion_tokens").asLong();
    long leftBefore = BudgetConfigs.tokensLeft(BudgetConfigs.assertBudgetExceeded(gateway.post(
        "/v1/chat/completions", BudgetConfigs.GINA_KEY, BudgetConfigs.chat("gpt-4o", 1_000_000)), "gina-daily"));
    // The provider ignores max_tokens: 1 token reserved, the whole answer sent.
    HttpResponse<String> cut = gateway.post("/v1/chat/completions", BudgetConfigs.GINA_KEY,
        BudgetConfigs.stream("gpt-4o", 1), Map.of("x-fake-provider-behavior", "ignore-max-tokens"));
    assertThat(cut.statusCode()).isEqualTo(200);
    String body = cut.body();
    assertThat(body.strip()).endsWith("data: [DONE]");
    assertThat(body.indexOf("data: [DONE]")).isEqualTo(body.lastIndexOf("data: [DONE]"));
    List<JsonNode> chunks = chunks(body);
    JsonNode last = chunks.get(chunks.size() - 1);
    assertThat(last.path("choices").get(0).path("finish_reason").asText()).isEqualTo("length");
    assertThat(last.path("model").asText()).isEqualTo("gpt-4o");
    String delivered = text(body);
    assertThat(delivered.length()).isLessThan(fullText.length());
    assertThat(fullText).startsWith(delivered);
    // Charged what was delivered (the prompt and the text before the cut), not what the provider
    // produced: less than the same answer in full.
    long charged = leftBefore - BudgetConfigs.tokensLeft(BudgetConfigs.assertBudgetExceeded(gateway.post(
        "/v1/chat/completions", BudgetConfigs.GINA_KEY, BudgetConfigs.chat("gpt-4o", 1_000_000)), "gina-daily"));
    assertThat(charged).isPositive().isLessThan(fullTokens);
  }

  private static List<JsonNode> chunks(String sse) throws Exception {
    List<JsonNode> chunks = new ArrayList<>();
    for (String line : sse.split("\n")) {
      if (line.startsWith("data: ") && !line.equals("data: [DONE]")) {
        chunks.add(TestGateway.JSON.readTree(line.substring(6)));
      }
    }
    return chunks;
  }

  private static String text(String sse) throws Exception {
    StringBuilder text = new StringBuilder();
    for (JsonNode chunk : chunks(sse)) {
      for (JsonNode choice : chunk.path("choices")) {
        text.append(choice.path("delta").path("content").asText(""));
      }
    }
    return text.toString();
  }
}
