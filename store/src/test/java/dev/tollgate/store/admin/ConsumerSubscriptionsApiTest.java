package dev.tollgate.store.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.tollgate.core.Sha256;
import dev.tollgate.core.config.ConfigLoader;
import dev.tollgate.core.config.StoreConfig;
import dev.tollgate.core.policy.PolicyDocument;
import dev.tollgate.core.policy.PolicySnapshot;
import dev.tollgate.store.RuntimeStore;
import dev.tollgate.store.StoreRecords.Decision;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /v1/subscriptions} over real loopback HTTP and an embedded H2 store: who the caller is
 * (config and runtime keys, as ext_authz decides), and every refusal with its status and code.
 */
class ConsumerSubscriptionsApiTest {
  private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
  private static final String CAROL_KEY = "tg-unit-carol-key";
  private static final String CONFIG = """
      models:
        - { name: gpt-4o, targets: [ { backend: primary } ] }
        - { name: gpt-4o-mini, targets: [ { backend: primary } ] }
        - { name: o1, targets: [ { backend: primary } ] }
      backends:
        - { name: primary, kind: openai-compatible, endpoints: [ { host: 127.0.0.1, port: 9 } ] }
      teams:
        - { name: research, require_subscription: true, models: [ "gpt-4o*" ] }
      consumers:
        - { name: carol, team: research, api_keys: [ "sha256:%s" ], models: [ "*" ] }
        - { name: dave, team: research, models: [ "*" ] }
        - { name: alice, models: [ "*" ] }
      """.formatted(Sha256.hex(CAROL_KEY));

  @TempDir Path dir;
  private RuntimeStore store;
  private HttpServer server;
  private URI uri;
  private final AtomicInteger changes = new AtomicInteger();
  private final HttpClient client = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws Exception {
    Path configFile = dir.resolve("tollgate.yaml");
    Files.writeString(configFile, CONFIG);
    Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    store = RuntimeStore.open(StoreConfig.defaults(), configFile, n -> null, clock);
    PolicyDocument config = PolicyDocument.from(new ConfigLoader(n -> null).parse(CONFIG, "tollgate.yaml").config(), "v1");
    // The store's state read afresh on each call, as the control plane's sync publishes it.
    ConsumerSubscriptionsApi api = new ConsumerSubscriptionsApi(store, () -> {
      try {
        return PolicySnapshot.of(config.withRuntime("v1", store.load()));
      } catch (SQLException e) {
        throw new IllegalStateException(e);
      }
    }, changes::incrementAndGet, clock);
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(ConsumerSubscriptionsApi.PATH, api);
    server.start();
    uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + ConsumerSubscriptionsApi.PATH);
  }

  @AfterEach
  void stop() {
    server.stop(0);
    store.close();
  }

  private record Answer(int status, JsonNode body, String text) {
    String code() {
      return body.path("error").path("code").asText();
    }
  }

  private Answer send(String method, URI target, String key, String body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(target)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (key != null) {
      request.header("authorization", "Bearer " + key);
    }
    HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    return new Answer(response.statusCode(), JsonEndpoint.JSON.readTree(response.body()), response.body());
  }

  private Answer ask(String key, String model) throws Exception {
    return send("POST", uri, key, "{\"model\":\"" + model + "\"}");
  }

  @Test
  void aConfigKeyAsksAndTheRequestIsRecordedAsTheConsumersOwn() throws Exception {
    Answer asked = ask(CAROL_KEY, "gpt-4o");
    assertThat(asked.status()).as(asked.text()).isEqualTo(201);
    assertThat(asked.body().path("consumer").asText()).isEqualTo("carol");
    assertThat(asked.body().path("status").asText()).isEqualTo("pending");
    assertThat(asked.body().path("requested_by").asText()).isEqualTo("consumer:carol");
    assertThat(asked.body().path("decided_by").isNull()).isTrue();
    assertThat(changes).hasValue(1);
    assertThat(store.audit(1).get(0).actor()).isEqualTo("consumer:carol");

    Answer twice = ask(CAROL_KEY, "gpt-4o");
    assertThat(twice.status()).isEqualTo(409);
    assertThat(twice.code()).isEqualTo("subscription_conflict");
    store.decide("carol", "gpt-4o", Decision.APPROVE, "ops-alice");
    assertThat(ask(CAROL_KEY, "gpt-4o").code()).isEqualTo("subscription_conflict");
    store.decide("carol", "gpt-4o", Decision.REVOKE, "ops-alice");
    assertThat(ask(CAROL_KEY, "gpt-4o").status()).as("asked again after a revocation").isEqualTo(201);
  }

  @Test
  void aRuntimeKeyAsksAndListsOnlyItsOwn() throws Exception {
    String daveKey = store.createKey("dave", null, "admin").key();
    assertThat(ask(daveKey, "gpt-4o-mini").status()).isEqualTo(201);
    assertThat(ask(CAROL_KEY, "gpt-4o").status()).isEqualTo(201);
    Answer listed = send("GET", uri, daveKey, null);
    assertThat(listed.status()).isEqualTo(200);
    assertThat(listed.body().path("data").findValuesAsText("consumer")).containsExactly("dave");
    assertThat(listed.body().path("data").findValuesAsText("model")).containsExactly("gpt-4o-mini");
  }

  @Test
  void badExpiredAndRevokedKeysGet401() throws Exception {
    assertThat(ask(null, "gpt-4o").code()).isEqualTo("invalid_api_key");
    Answer wrong = ask("tg-not-a-key", "gpt-4o");
    assertThat(wrong.status()).isEqualTo(401);
    assertThat(wrong.code()).isEqualTo("invalid_api_key");
    assertThat(wrong.text()).doesNotContain("tg-not-a-key");
    String expired = store.createKey("dave", NOW.minusSeconds(1), "admin").key();
    Answer late = ask(expired, "gpt-4o");
    assertThat(late.status()).isEqualTo(401);
    assertThat(late.code()).isEqualTo("api_key_expired");
    String revoked = store.createKey("dave", null, "admin").key();
    assertThat(ask(revoked, "gpt-4o").status()).isEqualTo(201);
    store.revokeKey(dev.tollgate.core.policy.ApiKeyFormat.prefixOf(revoked).orElseThrow(), "admin");
    Answer gone = send("GET", uri, revoked, null);
    assertThat(gone.status()).isEqualTo(401);
    assertThat(gone.code()).isEqualTo("invalid_api_key");
    assertThat(send("GET", uri, "admin-token-is-not-a-consumer-key", null).status()).isEqualTo(401);
  }

  @Test
  void modelsThatCannotOrNeedNotBeAskedFor() throws Exception {
    Answer unknown = ask(CAROL_KEY, "gpt-5");
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.code()).isEqualTo("model_not_found");
    Answer outsideTeam = ask(CAROL_KEY, "o1");
    assertThat(outsideTeam.status()).isEqualTo(400);
    assertThat(outsideTeam.code()).isEqualTo("model_not_allowed");
    assertThat(outsideTeam.body().path("error").path("param").asText()).isEqualTo("model");
    String aliceKey = store.createKey("alice", null, "admin").key();
    Answer notRequired = ask(aliceKey, "gpt-4o");
    assertThat(notRequired.status()).isEqualTo(400);
    assertThat(notRequired.code()).isEqualTo("subscription_not_required");
    assertThat(store.listSubscriptions(null, null)).isEmpty();
    assertThat(changes).hasValue(0);
  }

  @Test
  void malformedRequestsMethodsAndPaths() throws Exception {
    Answer extra = send("POST", uri, CAROL_KEY, "{\"model\":\"gpt-4o\",\"consumer\":\"dave\"}");
    assertThat(extra.status()).isEqualTo(400);
    assertThat(extra.body().path("error").path("param").asText()).isEqualTo("consumer");
    assertThat(send("POST", uri, CAROL_KEY, "not json").status()).isEqualTo(400);
    assertThat(send("POST", uri, CAROL_KEY, "{}").body().path("error").path("param").asText()).isEqualTo("model");
    assertThat(send("DELETE", uri, CAROL_KEY, null).code()).isEqualTo("method_not_allowed");
    assertThat(send("GET", URI.create(uri + "/x"), CAROL_KEY, null).code()).isEqualTo("unknown_url");
    assertThat(send("GET", URI.create(uri + "?consumer=dave"), CAROL_KEY, null).status()).isEqualTo(400);
    // The key is checked before anything in the request is looked at.
    assertThat(send("POST", uri, "wrong", "not json").status()).isEqualTo(401);
  }
}
