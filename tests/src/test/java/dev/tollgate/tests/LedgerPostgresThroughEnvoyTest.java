package dev.tollgate.tests;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The usage ledger in PostgreSQL (a real server from the Debian package). */
class LedgerPostgresThroughEnvoyTest extends LedgerThroughEnvoyTestBase {
  private static PostgresServer postgres;

  @BeforeAll
  static void startPostgres() throws Exception {
    postgres = PostgresServer.start();
  }

  @AfterAll
  static void stopPostgres() {
    if (postgres != null) {
      postgres.close();
    }
  }

  @Test
  void databaseDownKeepsUsageQueuedAndTheUsageApiSaysSo() throws Exception {
    java.util.List<String> ids = new java.util.ArrayList<>();
    postgres.pause();
    try {
      for (int i = 0; i < 5; i++) {
        java.net.http.HttpResponse<String> response = send(ALICE_KEY, TestGateway.chat("gpt-4o"));
        assertThat(status(response)).isEqualTo(200); // the request path never needs the database
        ids.add(requestId(response));
      }
      TestGateway.waitFor(java.time.Duration.ofSeconds(10), () -> gateway.extServicesPendingUsage() >= 5,
          "the records to wait in the ext services");
      AdminApiClient.Answer refused = admin.get("/admin/usage");
      assertThat(refused.status()).isEqualTo(503);
      assertThat(refused.body().path("error").path("code").asText()).isEqualTo("store_unavailable");
      assertThat(refused.body().toString()).doesNotContain(postgres.password());
    } finally {
      postgres.resume();
    }
    TestGateway.waitFor(java.time.Duration.ofSeconds(30), () -> gateway.extServicesPendingUsage() == 0,
        "the records to reach the database once it is back");
    for (String id : ids) {
      assertThat(ledger().find(id)).as(id).isPresent();
    }
  }

  @Override
  String storeSection() throws Exception {
    return postgres.freshStoreSection(
        "usage_ledger, tollgate_api_keys, tollgate_subscriptions, tollgate_audit, tollgate_changes",
        dir.resolve("pg-password"));
  }
}
