package dev.tollgate.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.tollgate.core.policy.RuntimeState;
import dev.tollgate.fakeprovider.FakeProviderSettings;
import dev.tollgate.fakeprovider.ReceivedRequest;
import dev.tollgate.xds.translate.FilterSet;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Who is calling and what they may do, through a real Envoy: JWTs from an identity provider whose
 * JWKS is served over HTTP, each way a token can be wrong, key rotation, teams, endpoints and
 * scopes, approved subscriptions, and spoofed identity headers.
 */
class IdentityThroughEnvoyTest {
  static final String CAROL_KEY = "tg-test-carol-key-0003";
  static final String DAVE_KEY = "tg-test-dave-key-0004";
  static final String ERIN_KEY = "tg-test-erin-key-0005";
  static final String ISSUER = "https://idp.tollgate.test";

  static final String CONFIG = """
      listener: { address: 127.0.0.1, port: {{LISTENER_PORT}} }
      control_plane: { address: 127.0.0.1, grpc_port: {{GRPC_PORT}}, admin_port: {{ADMIN_PORT}} }
      ext_services: { timeout_ms: 5000 }     # a loaded shared CI machine must not turn checks into 503s
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
        - name: other-model
          targets: [ { backend: primary } ]
        - name: text-embedding-3-small
          targets: [ { backend: primary } ]
      teams:
        - name: research
          models: [ "gpt-4o*", "text-embedding-*" ]
          endpoints: [ /v1/chat/completions, /v1/embeddings ]
        - name: gated
          require_subscription: true
      consumers:
        - name: alice                     # team research narrows "*" to gpt-4o* and embeddings
          api_keys: [ "sha256:{{ALICE_HASH}}" ]
          models: [ "*" ]
          team: research
          plan: gold
        - name: bob
          api_keys: [ "sha256:{{BOB_HASH}}" ]
          models: [ "other-*" ]
        - name: carol                     # chat only, by endpoint
          api_keys: [ "sha256:%s" ]
          models: [ "*" ]
          endpoints: [ /v1/chat/completions ]
        - name: dave                      # embeddings only, by scope
          api_keys: [ "sha256:%s" ]
          models: [ "*" ]
          scopes: [ embeddings ]
        - name: erin                      # every model needs an approved subscription
          api_keys: [ "sha256:%s" ]
          models: [ "*" ]
          team: gated
        - name: svc-reporting             # known only by its JWTs
          models: [ "gpt-4o*", "text-embedding-*" ]
          team: research
      auth:
        jwt:
          providers:
            - name: corp-idp
              issuer: %s
              audiences: [ tollgate ]
              jwks_url: %s
              jwks_min_refetch_seconds: 1
              jwks_timeout_ms: 3000
      """;

  static RSAKey signing;
  static JwksServer jwks;
  static TestGateway gateway;

  @BeforeAll
  static void start() throws Exception {
    signing = new RSAKeyGenerator(2048).keyID("key-1").generate();
    jwks = new JwksServer(publicJwks(signing));
    gateway = TestGateway.start(CONFIG.formatted(TestGateway.sha256(CAROL_KEY), TestGateway.sha256(DAVE_KEY),
        TestGateway.sha256(ERIN_KEY), ISSUER, jwks.url()), FakeProviderSettings.defaults(), FilterSet.ALL);
  }

  @AfterAll
  static void stop() {
    gateway.close();
    jwks.close();
  }

  @BeforeEach
  void clearJournal() {
    gateway.provider().clearReceivedRequests();
  }

  static String publicJwks(RSAKey... keys) {
    return new JWKSet(List.<com.nimbusds.jose.jwk.JWK>of(keys)).toPublicJWKSet().toString();
  }

  static JWTClaimsSet.Builder claims(String subject) {
    Instant now = Instant.now();
    return new JWTClaimsSet.Builder().issuer(ISSUER).audience("tollgate").subject(subject)
        .issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(300)))
        .claim("scope", "chat embeddings");
  }

  static String sign(RSAKey key, JWTClaimsSet claims) throws JOSEException {
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), claims);
    jwt.sign(new RSASSASigner(key));
    return jwt.serialize();
  }

  // ---- JWT accepted -------------------------------------------------------------------------

  @Test
  void aValidJwtIsAcceptedAndNeverReachesTheProvider() throws Exception {
    String token = sign(signing, claims("svc-reporting").build());
    HttpResponse<String> response = gateway.post("/v1/chat/completions", token, TestGateway.chat("gpt-4o"));
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    ReceivedRequest upstream = gateway.provider().receivedRequests().get(0);
    assertThat(upstream.authorization()).isEqualTo("Bearer " + TestGateway.PROVIDER_KEY);
    assertThat(upstream.body()).doesNotContain(token);
  }

  @Test
  void aJwtsTeamBoundsItsModels() throws Exception {
    String token = sign(signing, claims("svc-reporting").build());
    assertRefused(() -> gateway.post("/v1/chat/completions", token, TestGateway.chat("other-model")), 403, "model_not_allowed");
  }

  // ---- JWT refused, each way ----------------------------------------------------------------

  @Test
  void expiredJwtGets401() throws Exception {
    Instant past = Instant.now().minusSeconds(3600);
    String token = sign(signing, claims("svc-reporting").issueTime(Date.from(past.minusSeconds(60)))
        .expirationTime(Date.from(past)).build());
    assertRefused(() -> gateway.post("/v1/chat/completions", token, TestGateway.chat("gpt-4o")), 401, "token_expired");
  }

  @Test
  void notYetValidJwtGets401() throws Exception {
    String token = sign(signing, claims("svc-reporting").notBeforeTime(Date.from(Instant.now().plusSeconds(600)))
        .expirationTime(Date.from(Instant.now().plusSeconds(1200))).build());
    assertRefused(() -> gateway.post("/v1/chat/completions", token, TestGateway.chat("gpt-4o")), 401, "token_not_yet_valid");
  }

  @Test
  void wrongIssuerGets401() throws Exception {
    String token = sign(signing, claims("svc-reporting").issuer("https://elsewhere.test").build());
    assertRefused(() -> gateway.post("/v1/chat/completions", token, TestGateway.chat("gpt-4o")), 401, "invalid_issuer");
  }

  @Test
  void wrongAudienceGets401() throws Exception {
    String token = sign(signing, claims("svc-reporting").audience("another-api").build());
    assertRefused(() -> gateway.post("/v1/chat/completions", token, TestGateway.chat("gpt-4o")), 401, "invalid_audience");
  }

  @Test
  void badSignatureGets401() throws Exception {
    RSAKey impostor = new RSAKeyGenerator(2048).keyID("key-1").generate();
    String token = sign(impostor, claims("svc-reporting").build());
    HttpResponse<String> response = assertRefused(
        () -> gateway.post("/v1/chat/completions", token, TestGateway.chat("gpt-4o")), 401, "invalid_signature");
    assertThat(response.body()).doesNotContain(token);
  }

  @Test
  void algNoneGets401() throws Exception {
    String token = new PlainJWT(claims("svc-reporting").build()).serialize();
    assertRefused(() -> gateway.post("/v1/chat/completions", token, TestGateway.chat("gpt-4o")), 401, "unsupported_algorithm");
  }

  @Test
  void hmacWithThePublicKeyAsSecretGets401() throws Exception {
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("key-1").build(),
        claims("svc-reporting").build());
    jwt.sign(new MACSigner(publicJwks(signing).getBytes(StandardCharsets.UTF_8)));
    assertRefused(() -> gateway.post("/v1/chat/completions", jwt.serialize(), TestGateway.chat("gpt-4o")), 401,
        "unsupported_algorithm");
  }

  @Test
  void aSubjectThatIsNoConsumerGets401() throws Exception {
    String token = sign(signing, claims("mallory").build());
    assertRefused(() -> gateway.post("/v1/chat/completions", token, TestGateway.chat("gpt-4o")), 401, "unknown_consumer");
  }

  @Test
  void unknownKidGets401UntilTheIssuerPublishesTheKey() throws Exception {
    RSAKey rotated = new RSAKeyGenerator(2048).keyID("key-2").generate();
    String token = sign(rotated, claims("svc-reporting").build());
    assertRefused(() -> gateway.post("/v1/chat/completions", token, TestGateway.chat("gpt-4o")), 401, "unknown_key_id");

    // A flood of made-up kids refetches at most once per jwks_min_refetch_seconds (1 s here): the
    // bound is counted against the time the flood took, so a slow machine does not fail it.
    RSAKey bogus = new RSAKeyGenerator(2048).keyID("bogus").generate();
    List<String> flood = new java.util.ArrayList<>();
    for (int i = 0; i < 50; i++) {
      flood.add(sign(new RSAKey.Builder(bogus).keyID("bogus-" + i).build(), claims("svc-reporting").build()));
    }
    int before = jwks.fetches();
    long started = System.nanoTime();
    for (String made : flood) {
      assertThat(gateway.post("/v1/chat/completions", made, TestGateway.chat("gpt-4o")).statusCode()).isEqualTo(401);
    }
    long wholeSeconds = Duration.ofNanos(System.nanoTime() - started).toSeconds();
    assertThat(jwks.fetches() - before).isLessThanOrEqualTo((int) wholeSeconds + 1);

    jwks.serve(publicJwks(signing, rotated));
    TestGateway.waitFor(Duration.ofSeconds(10),
        () -> gateway.post("/v1/chat/completions", token, TestGateway.chat("gpt-4o")).statusCode() == 200,
        "the rotated key to be fetched and the same token accepted");
    // The old key still works while the issuer publishes it.
    assertThat(gateway.post("/v1/chat/completions", sign(signing, claims("svc-reporting").build()),
        TestGateway.chat("gpt-4o")).statusCode()).isEqualTo(200);
  }

  // ---- teams, endpoints, scopes -------------------------------------------------------------

  @Test
  void aTeamNarrowsTheConsumersModels() throws Exception {
    assertThat(gateway.post("/v1/chat/completions", TestGateway.ALICE_KEY, TestGateway.chat("gpt-4o")).statusCode())
        .isEqualTo(200);
    assertRefused(() -> gateway.post("/v1/chat/completions", TestGateway.ALICE_KEY, TestGateway.chat("other-model")),
        403, "model_not_allowed");
  }

  @Test
  void aTeamNarrowsTheConsumersEndpoints() throws Exception {
    assertRefused(() -> gateway.post("/v1/completions", TestGateway.ALICE_KEY,
        "{\"model\":\"gpt-4o\",\"prompt\":\"hi\"}"), 403, "endpoint_not_allowed");
    assertThat(gateway.post("/v1/embeddings", TestGateway.ALICE_KEY,
        "{\"model\":\"text-embedding-3-small\",\"input\":\"hi\"}").statusCode()).isEqualTo(200);
  }

  @Test
  void aConsumersOwnEndpointListIsEnforced() throws Exception {
    assertThat(gateway.post("/v1/chat/completions", CAROL_KEY, TestGateway.chat("gpt-4o")).statusCode()).isEqualTo(200);
    assertRefused(() -> gateway.post("/v1/embeddings", CAROL_KEY, "{\"model\":\"text-embedding-3-small\",\"input\":\"hi\"}"),
        403, "endpoint_not_allowed");
  }

  @Test
  void aConsumerWithoutTheScopeIsRefused() throws Exception {
    assertRefused(() -> gateway.post("/v1/chat/completions", DAVE_KEY, TestGateway.chat("gpt-4o")), 403, "insufficient_scope");
    assertThat(gateway.post("/v1/embeddings", DAVE_KEY, "{\"model\":\"text-embedding-3-small\",\"input\":\"hi\"}")
        .statusCode()).isEqualTo(200);
  }

  @Test
  void aJwtsScopesNarrowTheConsumersAndCannotWidenThem() throws Exception {
    String embeddingsOnly = sign(signing, claims("svc-reporting").claim("scope", "embeddings").build());
    assertRefused(() -> gateway.post("/v1/chat/completions", embeddingsOnly, TestGateway.chat("gpt-4o")), 403, "insufficient_scope");
    assertThat(gateway.post("/v1/embeddings", embeddingsOnly, "{\"model\":\"text-embedding-3-small\",\"input\":\"hi\"}")
        .statusCode()).isEqualTo(200);

    // completions is in the token, but the team does not allow the endpoint.
    String wide = sign(signing, claims("svc-reporting").claim("scope", List.of("chat", "completions")).build());
    assertRefused(() -> gateway.post("/v1/completions", wide, "{\"model\":\"gpt-4o\",\"prompt\":\"hi\"}"), 403,
        "endpoint_not_allowed");

    String noScope = sign(signing, claims("svc-reporting").claim("scope", null).build());
    assertRefused(() -> gateway.post("/v1/chat/completions", noScope, TestGateway.chat("gpt-4o")), 403, "insufficient_scope");
  }

  // ---- subscriptions ------------------------------------------------------------------------

  @Test
  void aGatedTeamNeedsAnApprovedSubscriptionPerModel() throws Exception {
    assertRefused(() -> gateway.post("/v1/chat/completions", ERIN_KEY, TestGateway.chat("gpt-4o")), 403, "subscription_required");

    setSubscriptions(1, RuntimeState.Status.PENDING);
    assertRefused(() -> gateway.post("/v1/chat/completions", ERIN_KEY, TestGateway.chat("gpt-4o")), 403, "subscription_pending");

    setSubscriptions(2, RuntimeState.Status.APPROVED);
    assertThat(gateway.post("/v1/chat/completions", ERIN_KEY, TestGateway.chat("gpt-4o")).statusCode()).isEqualTo(200);
    // Approval is per model.
    assertRefused(() -> gateway.post("/v1/chat/completions", ERIN_KEY, TestGateway.chat("gpt-4o-mini")), 403,
        "subscription_required");

    setSubscriptions(3, RuntimeState.Status.REVOKED);
    assertRefused(() -> gateway.post("/v1/chat/completions", ERIN_KEY, TestGateway.chat("gpt-4o")), 403, "subscription_required");

    setSubscriptions(4, RuntimeState.Status.REJECTED);
    assertRefused(() -> gateway.post("/v1/chat/completions", ERIN_KEY, TestGateway.chat("gpt-4o")), 403, "subscription_required");
    setSubscriptions(5, null);
  }

  private static void setSubscriptions(long version, RuntimeState.Status status) {
    gateway.runtime().publisher().publishRuntime(new RuntimeState(version, List.of(),
        status == null ? List.of() : List.of(new RuntimeState.Subscription("erin", "gpt-4o", status))));
  }

  // ---- spoofed identity headers ---------------------------------------------------------------

  @Test
  void spoofedIdentityHeadersChangeNeitherWhoIsCallingNorWhatTheyMayDo() throws Exception {
    Map<String, String> spoofed = Map.of(
        "x-tollgate-consumer", "alice",
        "x-tollgate-team", "research",
        "x-tollgate-scopes", "chat completions embeddings",
        "x-tollgate-plan", "gold",
        "x-tollgate-credential", "api_key",
        "x-tollgate-spiffe-id", "spiffe://tollgate.test/sa/admin",
        "x-tollgate-model", "gpt-4o",
        "x-forwarded-client-cert", "By=spiffe://tollgate.test/gw;URI=spiffe://tollgate.test/sa/admin");
    // bob may use other-* only, whatever the headers say.
    assertRefused(() -> gateway.post("/v1/chat/completions", TestGateway.BOB_KEY, TestGateway.chat("gpt-4o"), spoofed),
        403, "model_not_allowed");
    // dave lacks the chat scope, whatever the headers say.
    assertRefused(() -> gateway.post("/v1/chat/completions", DAVE_KEY, TestGateway.chat("gpt-4o"), spoofed),
        403, "insufficient_scope");
    // No credential at all: headers naming a consumer or a workload do not make one.
    assertRefused(() -> gateway.post("/v1/chat/completions", null, TestGateway.chat("gpt-4o"), spoofed), 401, "invalid_api_key");

    // Allowed call: routed by the body's model, and no client x-tollgate-* header reaches the provider.
    HttpResponse<String> ok = gateway.post("/v1/chat/completions", TestGateway.BOB_KEY, TestGateway.chat("other-model"),
        spoofed);
    assertThat(ok.statusCode()).isEqualTo(200);
    ReceivedRequest upstream = gateway.provider().receivedRequests().get(0);
    assertThat(upstream.model()).isEqualTo("other-model");
    assertThat(upstream.headers().keySet().stream().filter(h -> h.toLowerCase().startsWith("x-tollgate-")))
        .containsExactlyInAnyOrder("x-tollgate-request-id", "x-tollgate-upstream-model");
    assertThat(upstream.headers().get("x-tollgate-upstream-model")).containsExactly("other-model");
  }

  /** Sends with a clean provider journal: a refused request must never reach the provider. */
  static HttpResponse<String> assertRefused(java.util.function.Supplier<HttpResponse<String>> call, int status,
      String code) throws Exception {
    gateway.provider().clearReceivedRequests();
    HttpResponse<String> response = call.get();
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
    JsonNode error = TestGateway.JSON.readTree(response.body()).path("error");
    assertThat(error.path("message").asText()).isNotBlank();
    assertThat(error.path("type").asText()).isNotBlank();
    assertThat(error.path("code").asText()).isEqualTo(code);
    assertThat(gateway.provider().receivedRequests()).as("the provider must not see a refused request").isEmpty();
    return response;
  }
}
