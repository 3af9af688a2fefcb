package dev.tollgate.tests;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The subscription workflow end to end, in the split deployment: admin API and CLI → control
 * plane → store → policy stream → ext services → Envoy. Run once per kind of store.
 */
abstract class SubscriptionsThroughEnvoyTestBase extends AdminSplitTestBase {
  static final String CAROL_KEY = "tg-test-carol-key-0003";
  static final String CONFIG = """
      listener: { address: 127.0.0.1, port: {{LISTENER_PORT}} }
      control_plane:
        address: 127.0.0.1
        grpc_port: {{GRPC_PORT}}
        admin_port: {{ADMIN_PORT}}
        admin_token: "file:{{TOKEN_FILE}}"
        admins: [ { name: ops-alice, token: "file:{{ALICE_TOKEN_FILE}}" } ]
      ext_services: { address: 127.0.0.1, port: {{EXT_PORT}} }
      backends:
        - name: primary
          kind: openai-compatible
          endpoints: [ { host: 127.0.0.1, port: {{FAKE_PORT}} } ]
      models:
        - name: gpt-4o
          targets: [ { backend: primary } ]
        - name: gpt-4o-mini
          targets: [ { backend: primary } ]
      teams:
        - name: research
          require_subscription: true
      consumers:
        - name: carol
          team: research
          api_keys: [ "sha256:{{CAROL_HASH}}" ]
          models: [ "*" ]
        - name: alice
          models: [ "*" ]
        - name: dave
          team: research
          models: [ "*" ]
      {{STORE}}
      """;

  @BeforeEach
  void start() throws Exception {
    startSplit("tollgate-subscriptions-", "replica-a", CONFIG, Map.of("CAROL_HASH", TestGateway.sha256(CAROL_KEY)));
    TestGateway.waitFor(Duration.ofSeconds(15), () -> status(chat(CAROL_KEY, "gpt-4o")) == 403,
        "the split deployment to answer");
  }

  HttpResponse<String> chat(String key, String model) {
    return chat(gateway.baseUrl(), key, model);
  }

  HttpResponse<String> chat(String baseUrl, String key, String model) {
    return post(baseUrl, key, TestGateway.chat(model));
  }

  static String code(HttpResponse<String> response) {
    try {
      return TestGateway.JSON.readTree(response.body()).path("error").path("code").asText();
    } catch (Exception e) {
      return "(no JSON body)";
    }
  }

  void awaitCode(String key, String model, int status, String code, String what) {
    TestGateway.waitFor(Duration.ofSeconds(10), () -> {
      HttpResponse<String> response = chat(key, model);
      return status(response) == status && (code == null || code.equals(code(response)));
    }, what);
  }

  @Test
  void pendingThenApprovedThenRevokedAcrossAControlPlaneRestart() throws Exception {
    assertThat(code(chat(CAROL_KEY, "gpt-4o"))).isEqualTo("subscription_required");

    AdminCli.Result requested = cli.run("subscriptions", "request", "--consumer", "carol", "--model", "gpt-4o");
    assertThat(requested.exitCode()).as(requested.err()).isZero();
    awaitCode(CAROL_KEY, "gpt-4o", 403, "subscription_pending", "403 subscription_pending");

    AdminCli.Result approved = cli.run("subscriptions", "approve", "--consumer", "carol", "--model", "gpt-4o");
    assertThat(approved.exitCode()).as(approved.err()).isZero();
    awaitCode(CAROL_KEY, "gpt-4o", 200, null, "200 once approved");
    // Approval is per model.
    assertThat(code(chat(CAROL_KEY, "gpt-4o-mini"))).isEqualTo("subscription_required");
    String versionBefore = gateway.extServicesPolicyVersion();
    assertThat(versionBefore).contains("+r");

    gateway.restartControlPlane();
    // The ext services kept the last policy meanwhile. A change through the restarted control
    // plane shows they now follow it; the approval read back from the store still holds.
    assertThat(cli.run("subscriptions", "request", "--consumer", "carol", "--model", "gpt-4o-mini").exitCode()).isZero();
    awaitCode(CAROL_KEY, "gpt-4o-mini", 403, "subscription_pending", "a change through the restarted control plane");
    assertThat(status(chat(CAROL_KEY, "gpt-4o"))).isEqualTo(200);
    AdminCli.Result listed = cli.run("subscriptions", "list", "--consumer", "carol");
    assertThat(listed.out()).contains("gpt-4o").contains("approved").contains("admin");

    AdminCli.Result revoked = cli.run("subscriptions", "revoke", "--consumer", "carol", "--model", "gpt-4o");
    assertThat(revoked.exitCode()).as(revoked.err()).isZero();
    awaitCode(CAROL_KEY, "gpt-4o", 403, "subscription_required", "403 after the revocation");
    assertThat(chat(CAROL_KEY, "gpt-4o").body()).contains("revoked");

    // Every decision in the log, with who and when.
    AdminApiClient.Answer audit = admin.get("/admin/audit");
    assertThat(audit.status()).isEqualTo(200);
    assertThat(audit.body().path("data").findValuesAsText("action"))
        .containsSubsequence("subscription.revoke", "subscription.request", "subscription.approve",
            "subscription.request");
    // The admin token's holder, "admin", not the name the client claimed in x-tollgate-admin-actor.
    assertThat(audit.body().path("data").findValuesAsText("actor")).containsOnly("admin");
    assertThat(audit.body().path("data").get(0).path("at").asText()).isNotBlank();
  }

  @Test
  void rejectedRequestStaysRefusedAndMayBeAskedAgain() {
    assertThat(cli.run("subscriptions", "request", "--consumer", "carol", "--model", "gpt-4o-mini").exitCode()).isZero();
    AdminCli.Result twice = cli.run("subscriptions", "request", "--consumer", "carol", "--model", "gpt-4o-mini");
    assertThat(twice.exitCode()).isEqualTo(1);
    assertThat(twice.err()).contains("409");
    assertThat(cli.run("subscriptions", "reject", "--consumer", "carol", "--model", "gpt-4o-mini").exitCode()).isZero();
    awaitCode(CAROL_KEY, "gpt-4o-mini", 403, "subscription_required", "403 after the rejection");
    assertThat(cli.run("subscriptions", "request", "--consumer", "carol", "--model", "gpt-4o-mini").exitCode()).isZero();
    awaitCode(CAROL_KEY, "gpt-4o-mini", 403, "subscription_pending", "pending again");
    assertThat(cli.run("subscriptions", "list", "--status", "pending").out()).contains("carol").contains("gpt-4o-mini");
  }

  @Test
  void runtimeKeysReachRemoteExtServicesAndRevocationFollows() throws Exception {
    AdminCli.Result created = cli.run("keys", "create", "--consumer", "alice", "--expires-in", "1d");
    assertThat(created.exitCode()).as(created.err()).isZero();
    String key = created.out().strip();
    awaitCode(key, "gpt-4o", 200, null, "the new key to work through the split deployment");
    gateway.restartControlPlane();
    String second = cli.run("keys", "create", "--consumer", "alice").out().strip();
    awaitCode(second, "gpt-4o", 200, null, "a key made by the restarted control plane to work");
    // The first key came back from the store with the restarted control plane.
    assertThat(status(chat(key, "gpt-4o"))).isEqualTo(200);
    String prefix = dev.tollgate.core.policy.ApiKeyFormat.prefixOf(key).orElseThrow();
    assertThat(cli.run("keys", "revoke", prefix).exitCode()).isZero();
    awaitCode(key, "gpt-4o", 401, "invalid_api_key", "the revoked key to be refused");
  }
}
