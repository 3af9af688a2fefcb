package dev.tollgate.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The subscription workflow with the default store: an embedded H2 file next to the config. Also
 * the self-service side: consumers ask with their own keys, a named admin decides, and the record
 * and the decision log name that admin.
 */
class SubscriptionsEmbeddedStoreThroughEnvoyTest extends SubscriptionsThroughEnvoyTestBase {
  @Override
  String storeSection() {
    return "";
  }

  @Test
  void theDefaultStoreIsAFileNextToTheConfig() {
    assertThat(dir.resolve("tollgate-state/tollgate.mv.db")).exists();
    assertThat(gateway.controlPlane().runtimeState().storeDescription()).startsWith("h2 ");
  }

  private static final String SUBSCRIPTIONS = "/v1/subscriptions";
  private static final String GPT_4O = "{\"model\":\"gpt-4o\"}";

  @Test
  void consumersAskWithTheirOwnKeysAndANamedAdminDecides() throws Exception {
    // carol (a key from the config file) asks through the CLI, with her key in a file.
    Path keyFile = dir.resolve("carol-key");
    Files.writeString(keyFile, CAROL_KEY + "\n");
    AdminCli.Result asked = cli.run("subscriptions", "request", "--model", "gpt-4o", "--api-key-file", keyFile.toString());
    assertThat(asked.exitCode()).as(asked.err()).isZero();
    assertThat(asked.out()).contains("Subscription of carol to gpt-4o: pending.");
    awaitCode(CAROL_KEY, "gpt-4o", 403, "subscription_pending", "403 subscription_pending through Envoy");

    // dave (a key made at run time) asks over HTTP, as curl would.
    String daveKey = admin.post("/admin/keys", "{\"consumer\":\"dave\"}").body().path("key").asText();
    AdminApiClient.Answer daveAsked = admin.post(SUBSCRIPTIONS, GPT_4O, daveKey);
    assertThat(daveAsked.status()).as(daveAsked.body().toString()).isEqualTo(201);
    assertThat(daveAsked.body().path("status").asText()).isEqualTo("pending");
    assertThat(daveAsked.body().path("requested_by").asText()).isEqualTo("consumer:dave");
    awaitCode(daveKey, "gpt-4o", 403, "subscription_pending", "dave's runtime key pending through Envoy");

    // Asking twice, a wrong key, the admin's token in place of a consumer key.
    AdminApiClient.Answer twice = admin.post(SUBSCRIPTIONS, GPT_4O, CAROL_KEY);
    assertThat(twice.status()).isEqualTo(409);
    assertThat(twice.body().path("error").path("code").asText()).isEqualTo("subscription_conflict");
    AdminApiClient.Answer wrongKey = admin.post(SUBSCRIPTIONS, GPT_4O, "tg-test-not-a-key");
    assertThat(wrongKey.status()).isEqualTo(401);
    assertThat(wrongKey.body().path("error").path("code").asText()).isEqualTo("invalid_api_key");
    assertThat(wrongKey.body().toString()).doesNotContain("tg-test-not-a-key");
    assertThat(admin.post(SUBSCRIPTIONS, GPT_4O, ADMIN_TOKEN).status()).isEqualTo(401);

    // ops-alice approves carol with her own token (the client also claims another name in a header).
    AdminApiClient.Answer approved = admin.post("/admin/subscriptions/approve",
        "{\"consumer\":\"carol\",\"model\":\"gpt-4o\"}", ALICE_TOKEN);
    assertThat(approved.status()).as(approved.body().toString()).isEqualTo(200);
    assertThat(approved.body().path("decided_by").asText()).isEqualTo("ops-alice");
    awaitCode(CAROL_KEY, "gpt-4o", 200, null, "carol's calls through Envoy once approved");
    assertThat(code(chat(daveKey, "gpt-4o"))).as("dave is still pending").isEqualTo("subscription_pending");

    // carol sees her own subscription, and only hers.
    AdminApiClient.Answer mine = admin.get(SUBSCRIPTIONS, CAROL_KEY);
    assertThat(mine.status()).isEqualTo(200);
    JsonNode record = mine.body().path("data");
    assertThat(record.findValuesAsText("consumer")).containsExactly("carol");
    assertThat(record.get(0).path("status").asText()).isEqualTo("approved");
    assertThat(record.get(0).path("requested_by").asText()).isEqualTo("consumer:carol");
    assertThat(record.get(0).path("decided_by").asText()).isEqualTo("ops-alice");
    assertThat(record.get(0).path("decided_at").asText()).isNotBlank();

    // The decision log: who asked and who decided, with when.
    JsonNode audit = admin.get("/admin/audit", ALICE_TOKEN).body().path("data");
    JsonNode approval = audit.get(0);
    assertThat(approval.path("action").asText()).isEqualTo("subscription.approve");
    assertThat(approval.path("actor").asText()).isEqualTo("ops-alice");
    assertThat(approval.path("consumer").asText()).isEqualTo("carol");
    assertThat(approval.path("at").asText()).isNotBlank();
    assertThat(audit.findValuesAsText("actor")).contains("consumer:carol", "consumer:dave", "admin")
        .doesNotContain("test-operator");
  }
}
