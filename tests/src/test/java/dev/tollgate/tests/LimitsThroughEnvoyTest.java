package dev.tollgate.tests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.fakeprovider.FakeProviderSettings;
import dev.tollgate.xds.translate.FilterSet;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Request limits counted in the gateway's own memory (no redis section), through Envoy. */
class LimitsThroughEnvoyTest {
  private static TestGateway gateway;

  @BeforeAll
  static void start() throws Exception {
    gateway = TestGateway.start(LimitsConfigs.inMemory(), FakeProviderSettings.defaults(), FilterSet.ALL);
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  @Test
  void overTheRateGets429InOpenAiShapeWithRateLimitHeaders() throws Exception {
    gateway.provider().clearReceivedRequests();
    for (int i = 0; i < 3; i++) {
      HttpResponse<String> ok = gateway.post("/v1/chat/completions", TestGateway.ALICE_KEY, TestGateway.chat("gpt-4o"));
      assertThat(ok.statusCode()).isEqualTo(200);
      // As OpenAI does, successful answers say where the caller stands.
      assertThat(ok.headers().firstValue("x-ratelimit-limit-requests")).hasValue("6");
      assertThat(ok.headers().firstValue("x-ratelimit-remaining-requests")).hasValue(Integer.toString(2 - i));
      assertThat(ok.headers().firstValue("x-ratelimit-reset-requests").orElseThrow()).matches("[0-9.]+(ms|s)|[0-9]+m[0-9.]+s");
    }
    HttpResponse<String> refused = gateway.post("/v1/chat/completions", TestGateway.ALICE_KEY, TestGateway.chat("gpt-4o"));
    LimitsConfigs.assertRateLimited(refused);
    assertThat(refused.body()).contains("consumer 'alice'");
    assertThat(refused.headers().firstValue("x-ratelimit-limit-requests")).hasValue("6");
    assertThat(refused.headers().firstValue("x-ratelimit-remaining-requests")).hasValue("0");
    assertThat(refused.headers().firstValue("x-ratelimit-reset-requests")).isPresent();
    // One token every 10 s: the client is told to wait for it.
    assertThat(Long.parseLong(refused.headers().firstValue("retry-after").orElseThrow())).isBetween(1L, 10L);
    assertThat(gateway.provider().receivedRequests()).hasSize(3);
  }

  @Test
  void aPerModelLimitLeavesTheOtherModelsAlone() throws Exception {
    assertThat(gateway.post("/v1/chat/completions", LimitsConfigs.DAVE_KEY, TestGateway.chat("gpt-4o")).statusCode())
        .isEqualTo(200);
    HttpResponse<String> refused = gateway.post("/v1/chat/completions", LimitsConfigs.DAVE_KEY, TestGateway.chat("gpt-4o"));
    LimitsConfigs.assertRateLimited(refused);
    assertThat(refused.body()).contains("model 'gpt-4o'");
    for (int i = 0; i < 5; i++) {
      HttpResponse<String> other = gateway.post("/v1/chat/completions", LimitsConfigs.DAVE_KEY, TestGateway.chat("gpt-4o-mini"));
      assertThat(other.statusCode()).isEqualTo(200);
      // No rate limit applies to gpt-4o-mini for dave: no headers claiming one.
      assertThat(other.headers().firstValue("x-ratelimit-limit-requests")).isEmpty();
    }
  }

  @Test
  void aTeamLimitIsSharedByTheTeamsConsumers() throws Exception {
    assertThat(gateway.post("/v1/chat/completions", LimitsConfigs.ERIN_KEY, TestGateway.chat("gpt-4o")).statusCode())
        .isEqualTo(200);
    assertThat(gateway.post("/v1/chat/completions", LimitsConfigs.FRANK_KEY, TestGateway.chat("gpt-4o-mini")).statusCode())
        .isEqualTo(200);
    // Neither has a limit of their own; the team's burst of 2 is spent, whoever asks next.
    for (String key : new String[] {LimitsConfigs.ERIN_KEY, LimitsConfigs.FRANK_KEY}) {
      HttpResponse<String> refused = gateway.post("/v1/chat/completions", key, TestGateway.chat("gpt-4o"));
      LimitsConfigs.assertRateLimited(refused);
      assertThat(refused.body()).contains("team 'red'");
    }
  }

  @Test
  void aConcurrencySlotIsFreedWhenTheClientAbortsAStream() throws Exception {
    try (Socket stream = LimitsConfigs.startStalledStream(gateway, LimitsConfigs.CAROL_KEY)) {
      HttpResponse<String> second = gateway.post("/v1/chat/completions", LimitsConfigs.CAROL_KEY, TestGateway.chat("gpt-4o"));
      LimitsConfigs.assertRateLimited(second);
      assertThat(second.body()).contains("in flight");
    }
    // The provider still stalls for 30 s; only the client's abort can have freed the slot.
    TestGateway.waitFor(Duration.ofSeconds(10), () -> gateway.post("/v1/chat/completions", LimitsConfigs.CAROL_KEY,
        TestGateway.chat("gpt-4o")).statusCode() == 200, "carol's slot to come back after the abort");
  }
}
