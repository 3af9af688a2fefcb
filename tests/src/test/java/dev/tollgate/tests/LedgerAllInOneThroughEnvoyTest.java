package dev.tollgate.tests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.usage.UsageRecord;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.sql.SQLException;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The usage ledger in the all-in-one gateway ({@code tollgate up}): the in-process ext_proc's
 * records reach the table through their own queue, without a gRPC hop, and the usage API answers
 * with the generated admin token.
 */
class LedgerAllInOneThroughEnvoyTest {
  private static TestGateway gateway;

  @BeforeAll
  static void start() throws Exception {
    gateway = TestGateway.start();
  }

  @AfterAll
  static void stop() {
    if (gateway != null) {
      gateway.close();
    }
  }

  @Test
  void aRequestThroughTheAllInOneGatewayLandsInTheLedger() throws Exception {
    HttpResponse<String> response = gateway.post("/v1/chat/completions", TestGateway.ALICE_KEY,
        TestGateway.chat("gpt-4o-mini"));
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    String id = response.headers().firstValue("x-tollgate-request-id").orElseThrow();
    var usage = TestGateway.JSON.readTree(response.body()).path("usage");
    UsageRecord[] row = new UsageRecord[1];
    TestGateway.waitFor(Duration.ofSeconds(10), () -> {
      try {
        row[0] = gateway.runtime().usageLedger().ledger().find(id).orElse(null);
      } catch (SQLException e) {
        return false;
      }
      return row[0] != null;
    }, "the ledger row");
    assertThat(row[0].consumer()).isEqualTo("alice");
    assertThat(row[0].team()).isNull();
    assertThat(row[0].model()).isEqualTo("gpt-4o-mini");
    assertThat(row[0].backend()).isEqualTo("primary");
    assertThat(row[0].promptTokens()).isEqualTo(usage.path("prompt_tokens").asLong());
    assertThat(row[0].completionTokens()).isEqualTo(usage.path("completion_tokens").asLong());

    String token = Files.readString(gateway.runtime().runtimeState().generatedTokenFile().orElseThrow()).strip();
    AdminApiClient.Answer answer = new AdminApiClient(gateway.runtime().adminPort(), token)
        .get("/admin/usage?group_by=consumer&consumer=alice");
    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.body().path("data").get(0).path("consumer").asText()).isEqualTo("alice");
    assertThat(answer.body().path("totals").path("requests").asLong()).isPositive();
  }
}
