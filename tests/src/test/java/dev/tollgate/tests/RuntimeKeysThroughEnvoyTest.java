package dev.tollgate.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.core.policy.ApiKeyFormat;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Keys created at run time, all in one ({@code tollgate up}'s shape, embedded store): created by
 * the CLI and the admin API, used through Envoy, expired and revoked, with the admin API's
 * authentication and its errors.
 */
class RuntimeKeysThroughEnvoyTest extends ThroughEnvoyTest {
  private Path tokenFile;
  private String token;
  private AdminApiClient admin;
  private AdminCli cli;

  @BeforeEach
  void adminClients() throws Exception {
    // No control_plane.admin_token in the standard config: all in one generates one next to it.
    tokenFile = gateway.dir().resolve("tollgate-state/admin-token");
    assertThat(tokenFile).exists();
    int adminPort = gateway.runtime().adminPort();
    token = Files.readString(tokenFile).strip();
    admin = new AdminApiClient(adminPort, token);
    cli = new AdminCli(adminPort, tokenFile);
  }

  private HttpResponse<String> chat(String key) {
    return gateway.post("/v1/chat/completions", key, TestGateway.chat("gpt-4o"));
  }

  private static String code(HttpResponse<String> response) {
    try {
      return TestGateway.JSON.readTree(response.body()).path("error").path("code").asText();
    } catch (Exception e) {
      return "(not JSON: " + response.body() + ")";
    }
  }

  @Test
  void keyCreatedByTheCliWorksThroughEnvoyUntilTheCliRevokesIt() {
    AdminCli.Result created = cli.run("keys", "create", "--consumer", "alice");
    assertThat(created.exitCode()).as(created.err()).isZero();
    String key = created.out().strip();
    assertThat(ApiKeyFormat.prefixOf(key)).isPresent();
    String prefix = ApiKeyFormat.prefixOf(key).orElseThrow();
    assertThat(created.err()).contains(prefix).contains("alice").doesNotContain(key);

    TestGateway.waitFor(Duration.ofSeconds(5), () -> chat(key).statusCode() == 200, "the new key to work");
    assertThat(gateway.provider().receivedRequests()).isNotEmpty();
    // The provider never sees the client's key.
    assertThat(gateway.provider().receivedRequests().toString()).doesNotContain(key);

    AdminCli.Result listed = cli.run("keys", "list", "--consumer", "alice");
    assertThat(listed.exitCode()).isZero();
    assertThat(listed.out()).contains(prefix).contains("active").doesNotContain(key.substring(16));
    assertThat(admin.get("/admin/keys").body().toString()).contains(prefix).doesNotContain(key.substring(16));

    AdminCli.Result revoked = cli.run("keys", "revoke", prefix);
    assertThat(revoked.exitCode()).as(revoked.err()).isZero();
    TestGateway.waitFor(Duration.ofSeconds(5), () -> chat(key).statusCode() == 401, "the revoked key to be refused");
    assertThat(code(chat(key))).isEqualTo("invalid_api_key");
    assertThat(cli.run("keys", "list").out()).contains(prefix).contains("revoked");
    // Revoking twice is a conflict, told plainly.
    AdminCli.Result again = cli.run("keys", "revoke", prefix);
    assertThat(again.exitCode()).isEqualTo(1);
    assertThat(again.err()).contains("already revoked").contains("409");
  }

  @Test
  void expiredKeyIsRefusedWithItsOwnCode() {
    AdminApiClient.Answer created = admin.post("/admin/keys", "{\"consumer\":\"alice\",\"expires_in\":\"3s\"}");
    assertThat(created.status()).isEqualTo(201);
    String key = created.body().path("key").asText();
    assertThat(created.body().path("expires_at").isTextual()).isTrue();
    TestGateway.waitFor(Duration.ofSeconds(5), () -> chat(key).statusCode() == 200, "the new key to work");
    TestGateway.waitFor(Duration.ofSeconds(10), () -> chat(key).statusCode() == 401, "the key to expire");
    HttpResponse<String> expired = chat(key);
    assertThat(code(expired)).isEqualTo("api_key_expired");
    assertThat(expired.body()).doesNotContain(key);
    assertThat(admin.get("/admin/keys?consumer=alice").body().path("data").toString()).contains("\"expired\"");
  }

  @Test
  void keysFromTheConfigFileKeepWorkingBesideRuntimeKeys() {
    assertThat(chat(TestGateway.ALICE_KEY).statusCode()).isEqualTo(200);
  }

  @Test
  void adminApiNeedsTheToken() {
    AdminApiClient.Answer none = admin.send("GET", "/admin/keys", null);
    assertThat(none.status()).isEqualTo(401);
    assertThat(none.body().path("error").path("code").asText()).isEqualTo("admin_token_required");
    AdminApiClient.Answer wrong = admin.send("GET", "/admin/keys", "not-the-token");
    assertThat(wrong.status()).isEqualTo(401);
    assertThat(wrong.body().path("error").path("code").asText()).isEqualTo("invalid_admin_token");
    AdminApiClient.Answer create = admin.post("/admin/keys", "{\"consumer\":\"alice\"}", "not-the-token");
    assertThat(create.status()).isEqualTo(401);
    assertThat(admin.get("/admin/keys").body().path("data").toString()).doesNotContain("not-the-token");
  }

  @Test
  void badAdminRequestsGetOpenAiShapedErrorsWithTheRightStatus() {
    assertError(admin.post("/admin/keys", "{\"consumer\":\"nobody\"}"), 404, "consumer_not_found");
    assertError(admin.post("/admin/keys", "{not json"), 400, null);
    assertError(admin.post("/admin/keys", "[1]"), 400, null);
    assertError(admin.post("/admin/keys", "{\"consumer\":\"alice\",\"extra\":1}"), 400, null);
    assertError(admin.post("/admin/keys", "{\"consumer\":7}"), 400, null);
    assertError(admin.post("/admin/keys", "{\"consumer\":\"alice\",\"expires_in\":\"soon\"}"), 400, null);
    assertError(admin.post("/admin/keys", "{\"consumer\":\"alice\",\"expires_in\":\"1d\",\"expires_at\":\"2099-01-01T00:00:00Z\"}"),
        400, null);
    assertError(admin.post("/admin/keys", "{\"consumer\":\"alice\",\"expires_at\":\"2001-01-01T00:00:00Z\"}"), 400, null);
    assertError(admin.post("/admin/keys/0123456789ab/revoke", "{}"), 404, "key_not_found");
    assertError(admin.send("GET", "/admin/keys/0123456789ab/revoke", token), 405, "method_not_allowed");
    assertError(admin.post("/admin/subscriptions", "{\"consumer\":\"alice\",\"model\":\"no-such-model\"}"), 404,
        "model_not_found");
    assertError(admin.post("/admin/subscriptions/approve", "{\"consumer\":\"alice\",\"model\":\"gpt-4o\"}"), 404,
        "subscription_not_found");
    assertError(admin.get("/admin/nothing-here"), 404, "unknown_url");
    assertError(admin.get("/admin/subscriptions?status=maybe"), 400, null);
    // A whole key pasted where a prefix belongs is not echoed back.
    String pasted = "tg_0123456789ab_" + "ab".repeat(32);
    AdminApiClient.Answer answer = admin.post("/admin/keys/" + pasted + "/revoke", "{}");
    assertThat(answer.status()).isEqualTo(404);
    assertThat(answer.body().toString()).doesNotContain(pasted);
  }

  private static void assertError(AdminApiClient.Answer answer, int status, String code) {
    assertThat(answer.status()).as(answer.body().toString()).isEqualTo(status);
    JsonNode error = answer.body().path("error");
    assertThat(error.path("message").asText()).isNotBlank();
    assertThat(error.path("type").asText()).isNotBlank();
    if (code != null) {
      assertThat(error.path("code").asText()).isEqualTo(code);
    }
  }
}
