package dev.tollgate.authz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.config.ConfigLoader;
import dev.tollgate.core.policy.ApiKeyFormat;
import dev.tollgate.core.policy.PolicyDocument;
import dev.tollgate.core.policy.PolicySnapshot;
import dev.tollgate.core.policy.RuntimeState;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ApiKeyVerifierTest {
  private final ApiKeyVerifier verifier = new ApiKeyVerifier();
  private final PolicySnapshot policy = TestPolicies.twoConsumers("v1");

  private Verdict verify(String authorization) {
    return verifier.verify(
        authorization == null ? Map.of("content-type", "application/json")
            : Map.of("authorization", authorization, "content-type", "application/json"),
        policy);
  }

  @Test
  void validKeyIsAcceptedAsItsConsumer() {
    assertThat(verify("Bearer " + TestPolicies.APP_KEY))
        .isEqualTo(new Verdict.Accepted(new Identity("app", "api_key")));
    assertThat(verify("Bearer " + TestPolicies.OPS_KEY))
        .isEqualTo(new Verdict.Accepted(new Identity("ops", "api_key")));
  }

  @Test
  void schemeIsCaseInsensitiveAndSurroundingSpaceIgnored() {
    assertThat(verify("bearer " + TestPolicies.APP_KEY)).isInstanceOf(Verdict.Accepted.class);
    assertThat(verify("BEARER " + TestPolicies.APP_KEY)).isInstanceOf(Verdict.Accepted.class);
    assertThat(verify("Bearer  " + TestPolicies.APP_KEY + " ")).isInstanceOf(Verdict.Accepted.class);
  }

  @Test
  void missingHeaderIsNotPresentedSoTheNextVerifierIsAsked() {
    assertThat(verify(null)).isSameAs(Verdict.NOT_PRESENTED);
  }

  @Test
  void wrongKeyIsRejectedWithInvalidApiKey() {
    Verdict verdict = verify("Bearer tg-not-a-known-key");
    assertThat(verdict).isInstanceOf(Verdict.Rejected.class);
    Verdict.Rejected rejected = (Verdict.Rejected) verdict;
    assertThat(rejected.error().status()).isEqualTo(401);
    assertThat(rejected.error().code()).isEqualTo("invalid_api_key");
    assertThat(rejected.error().toJson()).doesNotContain("tg-not-a-known-key");
  }

  @Test
  void keyIsCaseSensitive() {
    assertThat(verify("Bearer " + TestPolicies.APP_KEY.toUpperCase())).isInstanceOf(Verdict.Rejected.class);
  }

  @Test
  void otherSchemesAndEmptyBearerAreRejected() {
    assertThat(verify("Basic dXNlcjpwYXNz")).isInstanceOf(Verdict.Rejected.class);
    assertThat(verify(TestPolicies.APP_KEY)).isInstanceOf(Verdict.Rejected.class);
    assertThat(verify("Bearer")).isInstanceOf(Verdict.Rejected.class);
    assertThat(verify("Bearer ")).isInstanceOf(Verdict.Rejected.class);
    assertThat(verify("Bearer    ")).isInstanceOf(Verdict.Rejected.class);
    assertThat(verify("")).isInstanceOf(Verdict.Rejected.class);
  }

  @Test
  void theHashItselfIsNotAKey() {
    // A leaked config file must not let its reader in.
    assertThat(verify("Bearer " + TestPolicies.sha256Hex(TestPolicies.APP_KEY))).isInstanceOf(Verdict.Rejected.class);
    assertThat(verify("Bearer sha256:" + TestPolicies.sha256Hex(TestPolicies.APP_KEY)))
        .isInstanceOf(Verdict.Rejected.class);
  }

  @Test
  void emptyPolicyAcceptsNobody() {
    assertThat(verifier.verify(Map.of("authorization", "Bearer " + TestPolicies.APP_KEY), PolicySnapshot.empty()))
        .isInstanceOf(Verdict.Rejected.class);
  }

  // Keys created at run time: found by prefix, checked by digest, expiry decided by the clock.

  private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
  private static final String LIVE = ApiKeyFormat.generate();
  private static final String EXPIRED = ApiKeyFormat.generate();
  private static final String OF_REMOVED_CONSUMER = ApiKeyFormat.generate();

  private static PolicySnapshot withRuntimeKeys() throws Exception {
    var config = new ConfigLoader(n -> null).parse("""
        consumers:
          - name: app
            models: [ "gpt-4o*" ]
        """, "test.yaml").config();
    RuntimeState state = new RuntimeState(7, List.of(
        runtimeKey("app", LIVE, NOW.plusSeconds(60).getEpochSecond()),
        runtimeKey("app", EXPIRED, NOW.getEpochSecond()),
        runtimeKey("gone", OF_REMOVED_CONSUMER, 0)), List.of());
    return PolicySnapshot.of(PolicyDocument.from(config, "v1").withRuntime("v1", state));
  }

  private static RuntimeState.RuntimeKey runtimeKey(String consumer, String key, long expiresAt) {
    return new RuntimeState.RuntimeKey(consumer, ApiKeyFormat.prefixOf(key).orElseThrow(),
        TestPolicies.sha256Hex(key), expiresAt);
  }

  private static Verdict verifyRuntime(String key) throws Exception {
    return new ApiKeyVerifier(Clock.fixed(NOW, ZoneOffset.UTC))
        .verify(Map.of("authorization", "Bearer " + key), withRuntimeKeys());
  }

  @Test
  void runtimeKeyIsAcceptedAsItsConsumerUntilItExpires() throws Exception {
    assertThat(verifyRuntime(LIVE)).isEqualTo(new Verdict.Accepted(new Identity("app", "api_key")));
    Verdict expired = verifyRuntime(EXPIRED);
    assertThat(expired).isInstanceOf(Verdict.Rejected.class);
    assertThat(((Verdict.Rejected) expired).error().status()).isEqualTo(401);
    assertThat(((Verdict.Rejected) expired).error().code()).isEqualTo("api_key_expired");
  }

  @Test
  void knownPrefixWithAnotherSecretIsRejected() throws Exception {
    String forged = LIVE.substring(0, LIVE.length() - 1) + (LIVE.endsWith("0") ? "1" : "0");
    Verdict verdict = verifyRuntime(forged);
    assertThat(verdict).isInstanceOf(Verdict.Rejected.class);
    assertThat(((Verdict.Rejected) verdict).error().code()).isEqualTo("invalid_api_key");
  }

  @Test
  void revokedOrUnknownRuntimeKeysAndKeysOfRemovedConsumersAreRejected() throws Exception {
    // Revoked keys are left out of the document, so they look exactly like unknown ones.
    assertThat(verifyRuntime(ApiKeyFormat.generate())).isInstanceOf(Verdict.Rejected.class);
    assertThat(verifyRuntime(OF_REMOVED_CONSUMER)).isInstanceOf(Verdict.Rejected.class);
  }
}
