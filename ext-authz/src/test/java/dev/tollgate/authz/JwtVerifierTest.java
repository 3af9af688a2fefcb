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
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;

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
    try (JwksServer jwks = new JwksServer(TestTokens.jwks(RSA))) {
      MovableClock clock = new MovableClock(NOW);
      JwtVerifier fetching = new JwtVerifier(clock);
      PolicySnapshot remote = TestPolicies.policy(yaml("jwks_url: " + jwks.url()
          + "\n        jwks_min_refetch_seconds: 5\n        jwks_timeout_ms: 5000"), "v1");
      String good = TestTokens.sign(RSA, TestTokens.claims("app", NOW).build());
      RSAKey rotated = TestTokens.rsa("rsa-2");
      String next = TestTokens.sign(rotated, TestTokens.claims("app", NOW).build());

      assertThat(resolve(fetching.verify(bearer(good), remote))).isInstanceOf(Verdict.Accepted.class);
      assertThat(resolve(fetching.verify(bearer(good), remote))).isInstanceOf(Verdict.Accepted.class);
      assertThat(jwks.fetches).hasValue(1);

      // A flood of unknown kids: one refetch, then refused from the cache.
      for (int i = 0; i < 50; i++) {
        assertRejected(resolve(fetching.verify(bearer(next), remote)), "unknown_key_id");
      }
      assertThat(jwks.fetches).hasValue(2);

      // The issuer rotates the new key in; after the refetch interval the same token is accepted.
      jwks.serve(TestTokens.jwks(RSA, rotated));
      clock.advance(Duration.ofSeconds(6));
      assertThat(resolve(fetching.verify(bearer(next), remote))).isInstanceOf(Verdict.Accepted.class);
      assertThat(jwks.fetches).hasValue(3);
    }
  }

  @Test
  void aFailingIssuerIsAskedAtABoundedRateWhileTheLastGoodKeysServeWithoutWaiting() throws Exception {
    try (JwksServer jwks = new JwksServer(TestTokens.jwks(RSA))) {
      MovableClock clock = new MovableClock(NOW);
      RecordingLogger log = new RecordingLogger();
      JwksCache cache = new JwksCache(clock, log);
      JwtVerifier fetching = new JwtVerifier(clock, cache);
      PolicySnapshot remote = TestPolicies.policy(yaml("jwks_url: " + jwks.url()
          + "\n        jwks_cache_seconds: 60\n        jwks_min_refetch_seconds: 1\n        jwks_timeout_ms: 300"), "v1");
      String good = TestTokens.sign(RSA, TestTokens.claims("app", NOW).build());
      assertThat(resolve(fetching.verify(bearer(good), remote))).isInstanceOf(Verdict.Accepted.class);
      assertThat(jwks.fetches).hasValue(1);

      // The issuer fails and the keys are due for a refresh: 200 tokens on 8 threads are each
      // answered at once from the keys held (never a Deferred verdict) and cost one fetch.
      jwks.fail();
      clock.advance(Duration.ofSeconds(61));
      onThreads(8, 200, () -> assertThat(fetching.verify(bearer(good), remote)).isInstanceOf(Verdict.Accepted.class));
      awaitStreak(cache, jwks, 1);
      // Backing off (the clock stands still): neither tokens nor an unknown kid start a fetch.
      String unknownKid = TestTokens.sign(TestTokens.rsa("rsa-9"), TestTokens.claims("app", NOW).build());
      for (int i = 0; i < 50; i++) {
        assertThat(fetching.verify(bearer(good), remote)).isInstanceOf(Verdict.Accepted.class);
        assertRejected(fetching.verify(bearer(unknownKid), remote), "unknown_key_id");
      }
      assertThat(jwks.fetches).hasValue(2);

      // Backoff 1 s, then 2 s: one fetch at +1 s, none at +2 s, one at +3 s.
      clock.advance(Duration.ofSeconds(1));
      assertThat(fetching.verify(bearer(good), remote)).isInstanceOf(Verdict.Accepted.class);
      awaitStreak(cache, jwks, 2);
      assertThat(jwks.fetches).hasValue(3);
      clock.advance(Duration.ofSeconds(1));
      assertThat(fetching.verify(bearer(good), remote)).isInstanceOf(Verdict.Accepted.class);
      assertThat(jwks.fetches).hasValue(3);
      clock.advance(Duration.ofSeconds(1));
      assertThat(fetching.verify(bearer(good), remote)).isInstanceOf(Verdict.Accepted.class);
      awaitStreak(cache, jwks, 3);
      assertThat(jwks.fetches).hasValue(4);

      // One warning for the whole streak, naming the provider, not the URL.
      assertThat(log.at(Level.WARN)).hasSize(1);
      assertThat(log.at(Level.WARN).get(0)).contains("'idp'").contains("HTTP 503")
          .contains("keeping the last keys").doesNotContain("127.0.0.1").doesNotContain("/jwks");

      // The issuer is back with a rotated key: after the 4 s backoff the next fetch brings it.
      RSAKey rotated = TestTokens.rsa("rsa-2");
      jwks.serve(TestTokens.jwks(RSA, rotated));
      clock.advance(Duration.ofSeconds(4));
      assertThat(fetching.verify(bearer(good), remote)).isInstanceOf(Verdict.Accepted.class);
      awaitStreak(cache, jwks, 0);
      assertThat(jwks.fetches).hasValue(5);
      assertThat(fetching.verify(bearer(TestTokens.sign(rotated, TestTokens.claims("app", NOW).build())), remote))
          .isInstanceOf(Verdict.Accepted.class);
      assertThat(log.at(Level.INFO)).singleElement().asString().contains("after 3 failed attempts");
    }
  }

  @Test
  void withNoKeysYetAHangingIssuerCostsOneFetchAndLaterTokensDoNotWaitForIt() throws Exception {
    try (JwksServer jwks = new JwksServer(TestTokens.jwks(RSA))) {
      jwks.hang();
      MovableClock clock = new MovableClock(NOW);
      RecordingLogger log = new RecordingLogger();
      JwtVerifier fetching = new JwtVerifier(clock, new JwksCache(clock, log));
      PolicySnapshot remote = TestPolicies.policy(yaml("jwks_url: " + jwks.url() + "\n        jwks_timeout_ms: 300"), "v1");
      Map<String, String> token = bearer(TestTokens.sign(RSA, TestTokens.claims("app", NOW).build()));

      // 64 tokens at once share the one fetch (the policy's prefetch) and its 300 ms timeout.
      List<Verdict> verdicts = new java.util.concurrent.CopyOnWriteArrayList<>();
      onThreads(8, 64, () -> verdicts.add(fetching.verify(token, remote)));
      for (Verdict verdict : verdicts) {
        assertThat(((Verdict.Rejected) resolve(verdict)).error().code()).isEqualTo("jwks_unavailable");
      }
      assertThat(jwks.fetches).hasValue(1);

      // Backing off: 200 more tokens are refused at once, not after 300 ms each (60 s in all).
      long started = System.nanoTime();
      for (int i = 0; i < 200; i++) {
        Verdict verdict = fetching.verify(token, remote);
        assertThat(verdict).isInstanceOf(Verdict.Rejected.class);
        assertThat(((Verdict.Rejected) verdict).error().status()).isEqualTo(503);
      }
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
      assertThat(jwks.fetches).hasValue(1);
      assertThat(log.at(Level.WARN)).singleElement().asString().contains("503 jwks_unavailable");
    }
  }

  @Test
  void backoffDoublesFromOneSecondUpToTheCacheTime() {
    assertThat(List.of(1, 2, 3, 4, 9, 10, 64, Integer.MAX_VALUE).stream().map(n -> JwksCache.backoff(n, 300).toSeconds()))
        .containsExactly(1L, 2L, 4L, 8L, 256L, 300L, 300L, 300L);
    assertThat(JwksCache.backoff(5, 5)).isEqualTo(Duration.ofSeconds(5));
    assertThat(JwksCache.backoff(1, 1)).isEqualTo(Duration.ofSeconds(1));
  }

  private static Map<String, String> bearer(String token) {
    return Map.of("authorization", "Bearer " + token);
  }

  /** Runs {@code task} {@code times} times on {@code threads} threads and rethrows the first failure. */
  private static void onThreads(int threads, int times, Runnable task) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> runs = new ArrayList<>();
      for (int i = 0; i < times; i++) {
        runs.add(pool.submit(task));
      }
      for (Future<?> run : runs) {
        run.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** Waits for the background fetch to land: the failure streak reaches {@code streak}. */
  private static void awaitStreak(JwksCache cache, JwksServer jwks, int streak) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (cache.failureStreak(jwks.url()) != streak) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("failure streak " + cache.failureStreak(jwks.url()) + ", expected " + streak);
      }
      Thread.sleep(5);
    }
  }

  /** A clock the test moves by hand. */
  private static final class MovableClock extends Clock {
    private final AtomicReference<Instant> now;

    MovableClock(Instant start) {
      now = new AtomicReference<>(start);
    }

    void advance(Duration by) {
      now.updateAndGet(instant -> instant.plus(by));
    }

    @Override public java.time.ZoneId getZone() { return ZoneOffset.UTC; }
    @Override public Clock withZone(java.time.ZoneId zone) { return this; }
    @Override public Instant instant() { return now.get(); }
  }

  /** A JWKS endpoint on 127.0.0.1 that counts fetches and serves a key set, fails with 503, or never answers. */
  private static final class JwksServer implements AutoCloseable {
    final AtomicInteger fetches = new AtomicInteger();
    private final AtomicReference<String> served;
    private volatile boolean failing;
    private volatile boolean hanging;
    private final CountDownLatch closed = new CountDownLatch(1);
    private final ExecutorService handlers = Executors.newCachedThreadPool();
    private final HttpServer server;

    JwksServer(String keySet) throws java.io.IOException {
      served = new AtomicReference<>(keySet);
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      server.setExecutor(handlers);
      server.createContext("/jwks", exchange -> {
        fetches.incrementAndGet();
        try (exchange) {
          if (hanging) {
            closed.await();
            return;
          }
          byte[] body = (failing ? "{\"error\":\"down\"}" : served.get()).getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(failing ? 503 : 200, body.length);
          exchange.getResponseBody().write(body);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      server.start();
    }

    String url() {
      return "http://127.0.0.1:" + server.getAddress().getPort() + "/jwks";
    }

    void serve(String keySet) {
      served.set(keySet);
      failing = false;
      hanging = false;
    }

    void fail() {
      failing = true;
    }

    void hang() {
      hanging = true;
    }

    @Override
    public void close() {
      closed.countDown();
      server.stop(0);
      handlers.shutdownNow();
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
