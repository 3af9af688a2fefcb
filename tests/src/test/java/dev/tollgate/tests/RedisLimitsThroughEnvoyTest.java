package dev.tollgate.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.fakeprovider.FakeProviderSettings;
import dev.tollgate.xds.translate.FilterSet;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Two gateway replicas (each its own Tollgate and Envoy, same config) sharing one real
 * redis-server: one limit for both, slots freed across them, and Redis going away mid-test.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedisLimitsThroughEnvoyTest {
  /** Longest a request may take before we call it a hang; Redis's own timeout is 50 ms. */
  private static final Duration NO_HANG = Duration.ofSeconds(5);

  private static RedisServer redis;
  private static TestGateway first;
  private static TestGateway second;

  @BeforeAll
  static void start() throws Exception {
    redis = RedisServer.start();
    String config = LimitsConfigs.withRedis(redis.url(), "fail_open");
    first = TestGateway.start(config, FakeProviderSettings.defaults(), FilterSet.ALL);
    second = TestGateway.start(config, FakeProviderSettings.defaults(), FilterSet.ALL);
    // Each replica connects to Redis in the background; until then it fails open. A counted
    // answer (200 or 429) carries x-ratelimit headers: dave's gpt-4o limit shows the connection.
    for (TestGateway replica : new TestGateway[] {first, second}) {
      TestGateway.waitFor(Duration.ofSeconds(20), () -> replica.post("/v1/chat/completions", LimitsConfigs.DAVE_KEY,
          TestGateway.chat("gpt-4o")).headers().firstValue("x-ratelimit-limit-requests").isPresent(),
          "the replica's Redis connection");
    }
  }

  @AfterAll
  static void stop() {
    if (second != null) {
      second.close();
    }
    if (first != null) {
      first.close();
    }
    if (redis != null) {
      redis.close();
    }
  }

  @Test
  @Order(1)
  void twoReplicasEnforceOneLimitTogether() throws Exception {
    // bob: burst 10, then one request every 10 s. Alone, each replica would let 10 through.
    first.provider().clearReceivedRequests();
    second.provider().clearReceivedRequests();
    long startNanos = System.nanoTime();
    int allowed = 0;
    int allowedByFirst = 0;
    int allowedBySecond = 0;
    for (int i = 0; i < 30; i++) {
      TestGateway replica = i % 2 == 0 ? first : second;
      HttpResponse<String> response = replica.post("/v1/chat/completions", TestGateway.BOB_KEY, TestGateway.chat("gpt-4o"));
      if (response.statusCode() == 200) {
        allowed++;
        if (replica == first) {
          allowedByFirst++;
        } else {
          allowedBySecond++;
        }
      } else {
        LimitsConfigs.assertRateLimited(response);
      }
    }
    long elapsedSeconds = Duration.ofNanos(System.nanoTime() - startNanos).toSeconds();
    // Tolerance: the burst, plus one refilled token per 10 s the loop took. Nothing for the
    // replicas' disagreement: Redis decides every request, so there is none.
    assertThat(allowed).isBetween(10, 10 + (int) (elapsedSeconds / 10) + 1);
    assertThat(allowedByFirst).isPositive();
    assertThat(allowedBySecond).isPositive();
    assertThat(first.provider().receivedRequests().size() + second.provider().receivedRequests().size())
        .isEqualTo(allowed);
  }

  @Test
  @Order(2)
  void aSlotTakenOnOneReplicaCountsOnTheOtherAndIsFreedWhenTheClientAborts() throws Exception {
    try (Socket stream = LimitsConfigs.startStalledStream(first, LimitsConfigs.CAROL_KEY)) {
      LimitsConfigs.assertRateLimited(
          second.post("/v1/chat/completions", LimitsConfigs.CAROL_KEY, TestGateway.chat("gpt-4o")));
    }
    TestGateway.waitFor(Duration.ofSeconds(10), () -> second.post("/v1/chat/completions", LimitsConfigs.CAROL_KEY,
        TestGateway.chat("gpt-4o")).statusCode() == 200, "carol's slot to come back after the abort");
  }

  @Test
  @Order(3)
  void aSlowRedisIsAnsweredPerOnErrorWithoutWaitingForIt() throws Exception {
    // Redis up but not answering for 5 s: decisions time out after 50 ms and fail open.
    redis.freeze(5);
    TestGateway.waitFor(Duration.ofSeconds(3), () -> !redis.answersPing(), "Redis to stop answering");
    for (int i = 0; i < 5; i++) {
      long startNanos = System.nanoTime();
      HttpResponse<String> response = first.post("/v1/chat/completions", TestGateway.BOB_KEY, TestGateway.chat("gpt-4o"));
      assertThat(Duration.ofNanos(System.nanoTime() - startNanos)).isLessThan(NO_HANG);
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.headers().firstValue("x-ratelimit-limit-requests")).isEmpty();
    }
    TestGateway.waitFor(Duration.ofSeconds(10), redis::answersPing, "Redis to wake up");
  }

  @Test
  @Order(4)
  void redisGoneMeansFailOpenOrFailClosedAsConfiguredWithoutHanging() throws Exception {
    // alice has a burst of 3; fail_open must let more through than that while Redis is away.
    redis.kill();
    for (int i = 0; i < 5; i++) {
      long startNanos = System.nanoTime();
      HttpResponse<String> response = first.post("/v1/chat/completions", TestGateway.ALICE_KEY, TestGateway.chat("gpt-4o"));
      assertThat(Duration.ofNanos(System.nanoTime() - startNanos)).isLessThan(NO_HANG);
      assertThat(response.statusCode()).isEqualTo(200);
      // No count behind them: no x-ratelimit headers either.
      assertThat(response.headers().firstValue("x-ratelimit-remaining-requests")).isEmpty();
    }

    second.writeConfig(LimitsConfigs.withRedis(redis.url(), "fail_closed"));
    TestGateway.waitFor(Duration.ofSeconds(10), () -> second.post("/v1/chat/completions", TestGateway.ALICE_KEY,
        TestGateway.chat("gpt-4o")).statusCode() == 503, "the fail_closed config to apply");
    long startNanos = System.nanoTime();
    HttpResponse<String> refused = second.post("/v1/chat/completions", TestGateway.ALICE_KEY, TestGateway.chat("gpt-4o"));
    assertThat(Duration.ofNanos(System.nanoTime() - startNanos)).isLessThan(NO_HANG);
    assertThat(refused.statusCode()).isEqualTo(503);
    JsonNode error = TestGateway.JSON.readTree(refused.body()).path("error");
    assertThat(error.path("code").asText()).isEqualTo("gateway_unavailable");
    assertThat(refused.headers().firstValue("retry-after")).hasValue("1");
    // A consumer without limits needs no Redis: still served.
    assertThat(second.post("/v1/chat/completions", LimitsConfigs.DAVE_KEY, TestGateway.chat("gpt-4o-mini")).statusCode())
        .isEqualTo(200);
  }

  @Test
  @Order(5)
  void limitsComeBackWhenRedisDoes() throws Exception {
    // Redis restarts empty: no buckets, no loaded script. The client reconnects on its own and
    // the first decision loads the script again (EVALSHA's NOSCRIPT, then EVAL).
    redis.restart();
    TestGateway.waitFor(Duration.ofSeconds(15), () -> first.post("/v1/chat/completions", TestGateway.ALICE_KEY,
        TestGateway.chat("gpt-4o")).headers().firstValue("x-ratelimit-limit-requests").isPresent(),
        "counted answers again after Redis came back");
    TestGateway.waitFor(Duration.ofSeconds(15), () -> second.post("/v1/chat/completions", TestGateway.ALICE_KEY,
        TestGateway.chat("gpt-4o")).statusCode() != 503, "the fail_closed replica to serve again");
    // alice's burst of 3 is now counted again, across both replicas.
    int allowed = 0;
    for (int i = 0; i < 6; i++) {
      TestGateway replica = i % 2 == 0 ? first : second;
      if (replica.post("/v1/chat/completions", TestGateway.ALICE_KEY, TestGateway.chat("gpt-4o")).statusCode() == 200) {
        allowed++;
      }
    }
    assertThat(allowed).isLessThanOrEqualTo(3);
  }
}
