package dev.tollgate.authz;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import dev.tollgate.core.policy.PolicySnapshot;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Each way a JWT can be right or wrong, decided by the verifier against a policy from YAML. */
class JwtVerifierTest {
  private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
  private static final RSAKey RSA = TestTokens.rsa("rsa-1");
  private static final ECKey EC = TestTokens.ec("ec-1");

  private final JwtVerifier verifier = new JwtVerifier(Clock.fixed(NOW, ZoneOffset.UTC));
  private final PolicySnapshot policy = TestPolicies.policy(yaml("jwks: " + TestTokens.jwks(RSA, EC)), "v1");

  static String yaml(String keys) {
    return """
        consumers:
          - name: app
            models: [ "gpt-4o*" ]
        auth:
          jwt:
            providers:
              - name: idp
                issuer: %s
                audiences: [ %s ]
                %s
        """.formatted(TestTokens.ISSUER, TestTokens.AUDIENCE, keys);
  }

  private Verdict verify(String token) {
    return resolve(verifier.verify(Map.of("authorization", "Bearer " + token), policy));
  }

  static Verdict resolve(Verdict verdict) {
    try {
      return verdict instanceof Verdict.Deferred deferred ? deferred.verdict().get(10, TimeUnit.SECONDS) : verdict;
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static void assertRejected(Verdict verdict, String code) {
    assertThat(verdict).isInstanceOf(Verdict.Rejected.class);
    Verdict.Rejected rejected = (Verdict.Rejected) verdict;
    assertThat(rejected.error().status()).isEqualTo(401);
    assertThat(rejected.error().code()).isEqualTo(code);
  }

  @Test
  void validRs256AndEs256TokensNameTheConsumerAndCarryTheirScopes() {
    for (var key : List.of(RSA, EC)) {
      Verdict verdict = verify(TestTokens.sign(key, TestTokens.claims("app", NOW).build()));
      assertThat(verdict).isEqualTo(new Verdict.Accepted(
          new Identity("app", "jwt", Optional.of(List.of("chat", "embeddings")))));
    }
  }

  @Test
  void scopeClaimMayBeAnArrayAndAMissingOneGrantsNothing() {
    Verdict array = verify(TestTokens.sign(RSA, TestTokens.claims("app", NOW).claim("scope", List.of("chat")).build()));
    assertThat(((Verdict.Accepted) array).identity().tokenScopes()).contains(List.of("chat"));
    Verdict none = verify(TestTokens.sign(RSA, TestTokens.claims("app", NOW).claim("scope", null).build()));
    assertThat(((Verdict.Accepted) none).identity().tokenScopes()).contains(List.of());
  }

  @Test
  void aBearerThatIsNoJwtIsLeftToTheApiKeyVerifier() {
    assertThat(verifier.verify(Map.of("authorization", "Bearer tg-some-key"), policy)).isEqualTo(Verdict.NOT_PRESENTED);
    assertThat(verifier.verify(Map.of(), policy)).isEqualTo(Verdict.NOT_PRESENTED);
  }

  @Test
  void expiredBeyondTheSkewIsRefusedWithinItAccepted() {
    assertRejected(verify(TestTokens.sign(RSA, TestTokens.claims("app", NOW)
        .expirationTime(Date.from(NOW.minusSeconds(61))).build())), "token_expired");
    assertThat(verify(TestTokens.sign(RSA, TestTokens.claims("app", NOW)
        .expirationTime(Date.from(NOW.minusSeconds(30))).build()))).isInstanceOf(Verdict.Accepted.class);
  }

  @Test
  void notYetValidIsRefused() {
    assertRejected(verify(TestTokens.sign(RSA, TestTokens.claims("app", NOW)
        .notBeforeTime(Date.from(NOW.plusSeconds(120))).build())), "token_not_yet_valid");
  }

  @Test
  void withoutExpiryIsRefused() {
    assertRejected(verify(TestTokens.sign(RSA, TestTokens.claims("app", NOW).expirationTime(null).build())),
        "invalid_token");
  }

  @Test
  void wrongIssuerAndWrongAudienceAreRefused() {
    assertRejected(verify(TestTokens.sign(RSA, TestTokens.claims("app", NOW).issuer("https://evil.test").build())),
        "invalid_issuer");
    assertRejected(verify(TestTokens.sign(RSA, TestTokens.claims("app", NOW).audience("someone-else").build())),
        "invalid_audience");
  }

  @Test
  void aSignatureByAnotherKeyWithTheSameKidIsRefused() {
    RSAKey impostor = TestTokens.rsa("rsa-1");
    assertRejected(verify(TestTokens.sign(impostor, TestTokens.claims("app", NOW).build())), "invalid_signature");
  }

  @Test
  void aTamperedPayloadIsRefused() {
    String token = TestTokens.sign(RSA, TestTokens.claims("app", NOW).build());
    String[] parts = token.split("\\.");
    String forged = Base64URL.encode(TestTokens.claims("app", NOW).claim("scope", "chat completions embeddings")
        .build().toString()).toString();
    assertRejected(verify(parts[0] + "." + forged + "." + parts[2]), "invalid_signature");
  }

  @Test
  void algNoneIsRefused() {
    String token = new PlainJWT(TestTokens.claims("app", NOW).build()).serialize();
    assertThat(token).endsWith(".");
    assertRejected(verify(token), "unsupported_algorithm");
  }

  @Test
  void hmacSignedWithThePublicKeyIsRefused() throws Exception {
    // The classic confusion: HS256 keyed with the RSA public key's bytes.
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("rsa-1").build(),
        TestTokens.claims("app", NOW).build());
    jwt.sign(new MACSigner(RSA.toPublicJWK().toJSONString().repeat(2).getBytes(StandardCharsets.UTF_8)));
    assertRejected(verify(jwt.serialize()), "unsupported_algorithm");
  }

  @Test
  void anAlgorithmOffTheProvidersListIsRefused() throws Exception {
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS512).keyID("rsa-1").build(),
        TestTokens.claims("app", NOW).build());
    jwt.sign(new com.nimbusds.jose.crypto.RSASSASigner(RSA));
    assertRejected(verify(jwt.serialize()), "unsupported_algorithm");
  }

  @Test
  void anUnknownKidIsRefused() {
    RSAKey other = TestTokens.rsa("rsa-2");
    assertRejected(verify(TestTokens.sign(other, TestTokens.claims("app", NOW).build())), "unknown_key_id");
  }

  @Test
  void aSubjectThatIsNoConsumerIsRefused() {
    assertRejected(verify(TestTokens.sign(RSA, TestTokens.claims("stranger", NOW).build())), "unknown_consumer");
  }

  @Test
  void garbageInJwtShapeIsRefusedAsInvalidToken() {
    assertRejected(verify("abc.def.ghi"), "invalid_token");
  }

  @Test
  void errorsNeverEchoTheToken() {
    String token = TestTokens.sign(RSA, TestTokens.claims("app", NOW).issuer("https://evil.test").build());
    Verdict.Rejected rejected = (Verdict.Rejected) verify(token);
    assertThat(rejected.error().toJson()).doesNotContain(token).doesNotContain("evil");
  }

  @Test
  void jwksFromAUrlIsCachedRefetchedOnAnUnknownKidAndRateLimited() throws Exception {
    AtomicReference<String> served = new AtomicReference<>(TestTokens.jwks(RSA));
    AtomicInteger fetches = new AtomicInteger();
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/jwks", exchange -> {
      fetches.incrementAndGet();
      byte[] body = served.get().getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
    try {
      AtomicReference<Instant> now = new AtomicReference<>(NOW);
      Clock clock = new Clock() {
        @Override public java.time.ZoneId getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(java.time.ZoneId zone) { return this; }
        @Override public Instant instant() { return now.get(); }
      };
      JwtVerifier fetching = new JwtVerifier(clock);
      PolicySnapshot remote = TestPolicies.policy(yaml("jwks_url: http://127.0.0.1:" + server.getAddress().getPort()
          + "/jwks\n        jwks_min_refetch_seconds: 5\n        jwks_timeout_ms: 5000"), "v1");
      String good = TestTokens.sign(RSA, TestTokens.claims("app", NOW).build());
      RSAKey rotated = TestTokens.rsa("rsa-2");
      String next = TestTokens.sign(rotated, TestTokens.claims("app", NOW).build());

      assertThat(resolve(fetching.verify(Map.of("authorization", "Bearer " + good), remote))).isInstanceOf(Verdict.Accepted.class);
      assertThat(resolve(fetching.verify(Map.of("authorization", "Bearer " + good), remote))).isInstanceOf(Verdict.Accepted.class);
      assertThat(fetches).hasValue(1);

      // A flood of unknown kids: one refetch, then refused from the cache.
      for (int i = 0; i < 50; i++) {
        assertRejected(resolve(fetching.verify(Map.of("authorization", "Bearer " + next), remote)), "unknown_key_id");
      }
      assertThat(fetches).hasValue(2);

      // The issuer rotates the new key in; after the refetch interval the same token is accepted.
      served.set(TestTokens.jwks(RSA, rotated));
      now.set(NOW.plusSeconds(6));
      assertThat(resolve(fetching.verify(Map.of("authorization", "Bearer " + next), remote))).isInstanceOf(Verdict.Accepted.class);
      assertThat(fetches).hasValue(3);
    } finally {
      server.stop(0);
    }
  }

  @Test
  void anUnreachableJwksServerGives503NotAHang() throws Exception {
    int port;
    try (var socket = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    PolicySnapshot remote = TestPolicies.policy(yaml("jwks_url: http://127.0.0.1:" + port + "/jwks"), "v1");
    Verdict verdict = resolve(verifier.verify(
        Map.of("authorization", "Bearer " + TestTokens.sign(RSA, TestTokens.claims("app", NOW).build())), remote));
    assertThat(((Verdict.Rejected) verdict).error().status()).isEqualTo(503);
    assertThat(((Verdict.Rejected) verdict).error().code()).isEqualTo("jwks_unavailable");
  }
}
