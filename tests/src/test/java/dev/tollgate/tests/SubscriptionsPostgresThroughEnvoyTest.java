package dev.tollgate.tests;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The subscription workflow with PostgreSQL (a real server from the Debian package, password
 * given as a file: reference), and two control-plane replicas sharing it: each sees the other's
 * changes within seconds.
 */
class SubscriptionsPostgresThroughEnvoyTest extends SubscriptionsThroughEnvoyTestBase {
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

  @Override
  String storeSection() throws Exception {
    // A fresh database per test: drop what the previous test left.
    return postgres.freshStoreSection("tollgate_api_keys, tollgate_subscriptions, tollgate_audit, tollgate_changes",
        dir.resolve("pg-password"));
  }

  @Test
  void twoControlPlaneReplicasSharingOneDatabaseSeeEachOthersChanges() throws Exception {
    // Replica B: its own ports, ext services and Envoy; the same config otherwise, the same database.
    Map<String, String> valuesB = SplitGateway.ports();
    for (String shared : new String[] {"FAKE_PORT", "TOKEN_FILE", "ALICE_TOKEN_FILE", "CAROL_HASH", "STORE"}) {
      valuesB.put(shared, values.get(shared));
    }
    try (SplitGateway replicaB = SplitGateway.start(dir.path(), "replica-b", CONFIG, valuesB)) {
      AdminApiClient adminB = new AdminApiClient(replicaB.adminPort(), ADMIN_TOKEN);
      TestGateway.waitFor(Duration.ofSeconds(15), () -> status(chat(replicaB.baseUrl(), CAROL_KEY, "gpt-4o")) == 403,
          "replica B to answer");

      // Asked on A, approved on B: both gateways let carol in.
      assertThat(admin.post("/admin/subscriptions", "{\"consumer\":\"carol\",\"model\":\"gpt-4o\"}").status())
          .isEqualTo(201);
      TestGateway.waitFor(Duration.ofSeconds(10), () -> "subscription_pending".equals(
          code(chat(replicaB.baseUrl(), CAROL_KEY, "gpt-4o"))), "B to see A's request");
      assertThat(adminB.post("/admin/subscriptions/approve", "{\"consumer\":\"carol\",\"model\":\"gpt-4o\"}").status())
          .isEqualTo(200);
      awaitCode(CAROL_KEY, "gpt-4o", 200, null, "A to see B's approval");
      TestGateway.waitFor(Duration.ofSeconds(10), () -> status(chat(replicaB.baseUrl(), CAROL_KEY, "gpt-4o")) == 200,
          "B to see its own approval");

      // A key made on B works through A; revoked on A, it stops on B.
      AdminApiClient.Answer created = adminB.post("/admin/keys", "{\"consumer\":\"alice\"}");
      String key = created.body().path("key").asText();
      awaitCode(key, "gpt-4o", 200, null, "A to accept B's key");
      assertThat(admin.post("/admin/keys/" + created.body().path("prefix").asText() + "/revoke", "{}").status())
          .isEqualTo(200);
      TestGateway.waitFor(Duration.ofSeconds(10), () -> status(chat(replicaB.baseUrl(), key, "gpt-4o")) == 401,
          "B to refuse the key A revoked");

      // Both policy versions end in the shared change counter (their configs differ in ports).
      TestGateway.waitFor(Duration.ofSeconds(5), () -> runtimePart(replicaB.extServicesPolicyVersion())
          .equals(runtimePart(gateway.extServicesPolicyVersion())), "equal runtime versions");
      assertThat(runtimePart(gateway.extServicesPolicyVersion())).matches("\\+r[0-9]+");
      // A decision made twice at once is refused once: the second replica gets a conflict.
      assertThat(adminB.post("/admin/subscriptions/approve", "{\"consumer\":\"carol\",\"model\":\"gpt-4o\"}").status())
          .isEqualTo(409);
    }
  }

  @Test
  void databaseDownKeepsTheLastStateInForceAndTheAdminApiSaysSo() throws Exception {
    AdminCli.Result created = cli.run("keys", "create", "--consumer", "alice");
    String key = created.out().strip();
    awaitCode(key, "gpt-4o", 200, null, "the new key to work");
    postgres.pause();
    try {
      // Nothing in the request path needs the database: the last state keeps serving.
      Thread.sleep(1500);
      assertThat(status(chat(key, "gpt-4o"))).isEqualTo(200);
      assertThat(code(chat(CAROL_KEY, "gpt-4o"))).isEqualTo("subscription_required");
      AdminApiClient.Answer refused = admin.post("/admin/keys", "{\"consumer\":\"alice\"}");
      assertThat(refused.status()).isEqualTo(503);
      assertThat(refused.body().path("error").path("code").asText()).isEqualTo("store_unavailable");
      assertThat(refused.body().toString()).doesNotContain(postgres.password());
    } finally {
      postgres.resume();
    }
    // Back: changes flow again.
    assertThat(admin.post("/admin/subscriptions", "{\"consumer\":\"carol\",\"model\":\"gpt-4o\"}").status())
        .isEqualTo(201);
    awaitCode(CAROL_KEY, "gpt-4o", 403, "subscription_pending", "a change after the database came back");
  }

  @Test
  void unreachableDatabaseAtStartIsAClearStartUpError() throws Exception {
    Map<String, String> valuesB = SplitGateway.ports();
    for (String shared : new String[] {"FAKE_PORT", "TOKEN_FILE", "ALICE_TOKEN_FILE", "CAROL_HASH"}) {
      valuesB.put(shared, values.get(shared));
    }
    valuesB.put("STORE", values.get("STORE").replace(":" + postgres.port() + "/", ":" + TestGateway.freePort() + "/"));
    Path config = dir.resolve("dead-db.yaml");
    java.nio.file.Files.writeString(config, TestGateway.fill(CONFIG, valuesB));
    Throwable failure = org.assertj.core.api.Assertions.catchThrowable(
        () -> dev.tollgate.cli.runtime.GatewayRuntime.startControlPlane(config).close());
    assertThat(failure).isInstanceOf(java.io.IOException.class)
        .hasMessageContaining("cannot open the runtime state store")
        .hasMessageNotContaining(postgres.password());
  }

  private static String runtimePart(String version) {
    return version.substring(version.indexOf('+'));
  }

  @Test
  void passwordNeverReachesTheLogsOrStatus() throws Exception {
    assertThat(gateway.controlPlane().runtimeState().storeDescription()).startsWith("postgresql jdbc:postgresql://")
        .doesNotContain(postgres.password());
    AdminApiClient.Answer status = admin.get("/status");
    assertThat(status.body().toString()).doesNotContain(postgres.password());
  }
}
