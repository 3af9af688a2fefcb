package dev.tollgate.authz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.policy.PolicySnapshot;
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
}
