package dev.tollgate.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The configs and client moves the budget tests share. */
final class BudgetConfigs {
  private BudgetConfigs() {}

  static final String CAROL_KEY = "tg-test-carol-key-0003";
  static final String DAVE_KEY = "tg-test-dave-key-0004";
  static final String ERIN_KEY = "tg-test-erin-key-0005";
  static final String GINA_KEY = "tg-test-gina-key-0007";
  static final String HANK_KEY = "tg-test-hank-key-0008";

  /** gpt-4o at 1000 USD per million input tokens (1e6 nano-USD a token) and 2000 per million output. */
  static final long INPUT_NANOS_PER_TOKEN = 1_000_000L;
  static final long OUTPUT_NANOS_PER_TOKEN = 2_000_000L;

  /**
   * alice: 200 tokens a day; bob: 0.05 USD a month on gpt-4o; carol: 1000 tokens a rolling day (the
   * concurrency tests: a rolling window still counts what was spent just before midnight, so the
   * totals stay exact across it); dave: 60 tokens a calendar minute; erin: team red's 40 tokens a
   * day; gina: plenty, rolling (streams); hank: 0.5 USD a day. {{REDIS}} is a redis section or nothing.
   */
  static final String TEMPLATE = """
      listener: { address: 127.0.0.1, port: {{LISTENER_PORT}} }
      control_plane: { address: 127.0.0.1, grpc_port: {{GRPC_PORT}}, admin_port: {{ADMIN_PORT}} }
      # The concurrency tests run 60 requests at once on a shared machine: generous ext_proc time.
      ext_services: { timeout_ms: 10000 }
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
        - { name: alice, api_keys: [ "sha256:{{ALICE_HASH}}" ], models: [ "gpt-4o*" ] }
        - { name: bob, api_keys: [ "sha256:{{BOB_HASH}}" ], models: [ "gpt-4o*" ] }
        - { name: carol, api_keys: [ "sha256:%s" ], models: [ "gpt-4o*" ] }
        - { name: dave, api_keys: [ "sha256:%s" ], models: [ "gpt-4o*" ] }
        - { name: erin, team: red, api_keys: [ "sha256:%s" ], models: [ "gpt-4o*" ] }
        - { name: gina, api_keys: [ "sha256:%s" ], models: [ "gpt-4o*" ] }
        - { name: hank, api_keys: [ "sha256:%s" ], models: [ "gpt-4o*" ] }
      teams:
        - name: red
      prices:
        - { model: gpt-4o, from: "2020-01-01", input: 1000, output: 2000 }
      budgets:
        default_max_tokens: 50
        limits:
          - { name: alice-daily, consumer: alice, window: day, tokens: 200 }
          - { name: bob-gpt-4o, consumer: bob, model: gpt-4o, window: month, usd: 0.05 }
          - { name: carol-rolling, consumer: carol, window: day, rolling: true, tokens: 1000 }
          - { name: dave-minute, consumer: dave, window: minute, tokens: 60 }
          - { name: red-daily, team: red, window: day, tokens: 40 }
          - { name: gina-daily, consumer: gina, window: day, tokens: 100000, rolling: true }
          - { name: hank-daily, consumer: hank, window: day, usd: 0.5 }
      {{REDIS}}
      """.formatted(TestGateway.sha256(CAROL_KEY), TestGateway.sha256(DAVE_KEY), TestGateway.sha256(ERIN_KEY),
      TestGateway.sha256(GINA_KEY), TestGateway.sha256(HANK_KEY));

  /** The prompt of {@link #chat} as the gateway counts it (o200k, OpenAI's chat framing). */
  static final int CHAT_PROMPT_TOKENS = dev.tollgate.inspect.tokens.TokenCounter.shared().chat("gpt-4o",
      java.util.List.of(new dev.tollgate.inspect.tokens.TokenCounter.Message("user", null,
          java.util.List.of("Hello there"))));

  /**
   * Waits out the next UTC midnight when it is less than {@code margin} away, so a test that
   * compares spend across requests in a calendar day or month window does not straddle its reset.
   */
  static void clearOfMidnight(java.time.Duration margin) throws InterruptedException {
    java.time.Instant now = java.time.Instant.now();
    java.time.Instant midnight = now.atZone(java.time.ZoneOffset.UTC).toLocalDate().plusDays(1)
        .atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
    java.time.Duration left = java.time.Duration.between(now, midnight);
    if (left.compareTo(margin) < 0) {
      Thread.sleep(left.toMillis() + 1000);
    }
  }

  static String inMemory() {
    return TEMPLATE.replace("{{REDIS}}", "");
  }

  static String withRedis(String url, String onError) {
    // A Redis answer may take a while on a loaded test machine; fail_open must not kick in then.
    return TEMPLATE.replace("{{REDIS}}", "redis: { url: \"" + url + "\", timeout_ms: 1000, on_error: " + onError + " }");
  }

  static String chat(String model, Integer maxTokens) {
    return "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello there\"}]"
        + (maxTokens == null ? "" : ",\"max_tokens\":" + maxTokens) + "}";
  }

  static String stream(String model, int maxTokens) {
    return stream(model, maxTokens, false);
  }

  static String stream(String model, int maxTokens, boolean includeUsage) {
    return "{\"model\":\"" + model + "\",\"stream\":true,\"max_tokens\":" + maxTokens
        + (includeUsage ? ",\"stream_options\":{\"include_usage\":true}" : "")
        + ",\"messages\":[{\"role\":\"user\",\"content\":\"Tell me a long story about a lighthouse keeper\"}]}";
  }

  /** A budget 429 in OpenAI's shape; returns its message. */
  static String assertBudgetExceeded(HttpResponse<String> response, String budget) throws IOException {
    assertThat(response.statusCode()).isEqualTo(429);
    assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
    JsonNode error = TestGateway.JSON.readTree(response.body()).path("error");
    assertThat(error.path("code").asText()).isEqualTo("budget_exceeded");
    assertThat(error.path("type").asText()).isEqualTo("budget_exceeded");
    String message = error.path("message").asText();
    assertThat(message).contains("budget '" + budget + "'").contains(" left")
        .containsAnyOf("window resets at", "oldest part of the window ages out at");
    long retryAfter = Long.parseLong(response.headers().firstValue("retry-after").orElseThrow());
    assertThat(retryAfter).isPositive();
    return message;
  }

  /**
   * The budget's 429 message once no reservation is held in it, asking again for up to 5 s: a
   * reservation is settled when Envoy closes the request's ext_proc stream, which can be a moment
   * after the client has its answer. For tests that send one request at a time.
   */
  static String settledRefusal(java.util.function.Supplier<HttpResponse<String>> ask, String budget)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + 5_000_000_000L;
    String message = assertBudgetExceeded(ask.get(), budget);
    while (message.contains("reserved by requests in flight") && System.nanoTime() < deadline) {
      Thread.sleep(50);
      message = assertBudgetExceeded(ask.get(), budget);
    }
    return message;
  }

  /** The "has N tokens left" of a 429 message. */
  static long tokensLeft(String message) {
    Matcher matcher = Pattern.compile("has (\\d+) tokens left").matcher(message);
    assertThat(matcher.find()).as(message).isTrue();
    return Long.parseLong(matcher.group(1));
  }

  /** The "has X USD left" of a 429 message, in nano-USD. */
  static long nanosLeft(String message) {
    Matcher matcher = Pattern.compile("has ([0-9.]+) USD left").matcher(message);
    assertThat(matcher.find()).as(message).isTrue();
    return new java.math.BigDecimal(matcher.group(1)).movePointRight(9).longValueExact();
  }

  /** prompt + completion of a JSON response's usage. */
  static long totalTokens(HttpResponse<String> response) throws IOException {
    JsonNode usage = TestGateway.JSON.readTree(response.body()).path("usage");
    return usage.path("prompt_tokens").asLong() + usage.path("completion_tokens").asLong();
  }
}
