package dev.tollgate.proc.inspect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.config.AuditPolicyConfig;
import dev.tollgate.core.config.InspectionPolicyConfig;
import dev.tollgate.core.config.PolicyMatchConfig;
import dev.tollgate.core.policy.PolicyDocument;
import dev.tollgate.core.policy.PolicySnapshot;
import dev.tollgate.core.policy.RequestLimitsPolicy;
import dev.tollgate.core.policy.RuntimeState;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class InspectionPoliciesTest {
  private static InspectionPolicyConfig policy(String name, PolicyMatchConfig match) {
    return new InspectionPolicyConfig(name, match, null, null, null, AuditPolicyConfig.DEFAULTS);
  }

  private static PolicySnapshot snapshot(String version, List<InspectionPolicyConfig> policies) {
    return PolicySnapshot.of(new PolicyDocument(version, List.of(), List.of(), 1024 * 1024, RuntimeState.empty(),
        RequestLimitsPolicy.NONE, null, policies, null, null));
  }

  private static Optional<String> select(InspectionPolicies policies, PolicySnapshot snapshot, String model,
      String consumer, String team, String endpoint) {
    return policies.select(snapshot, new CompiledPolicy.Subject(model, consumer, team, endpoint))
        .map(CompiledPolicy::name);
  }

  @Test
  void theFirstMatchingPolicyApplies() {
    PolicySnapshot snapshot = snapshot("v1", List.of(
        policy("bots", new PolicyMatchConfig(List.of("gpt-4o*"), List.of("bot-*"), null, null)),
        policy("support", new PolicyMatchConfig(null, null, List.of("support"), List.of("/v1/chat/*"))),
        policy("rest", null)));
    InspectionPolicies policies = new InspectionPolicies();
    assertThat(select(policies, snapshot, "gpt-4o-mini", "bot-7", "", "/v1/embeddings")).hasValue("bots");
    assertThat(select(policies, snapshot, "gpt-3.5", "bot-7", "support", "/v1/chat/completions")).hasValue("support");
    // No team never fits a non-empty team list.
    assertThat(select(policies, snapshot, "gpt-3.5", "bot-7", "", "/v1/chat/completions")).hasValue("rest");
  }

  @Test
  void tokensAreCountedWithTheTargetsTokenizerWhenTheTargetsAgree() {
    PolicySnapshot snapshot = PolicySnapshot.of(new PolicyDocument("v1", List.of(), List.of(), 1024, RuntimeState.empty(),
        RequestLimitsPolicy.NONE, null, List.of(), java.util.Map.of(
            "fast", List.of("gpt-4o-mini-2024-07-18", "gpt-4o-mini"),
            "mixed", List.of("gpt-4o", "llama-3-70b")), null));
    assertThat(RequestInspector.tokenizerModel(snapshot, "fast")).isEqualTo("gpt-4o-mini-2024-07-18");
    assertThat(RequestInspector.tokenizerModel(snapshot, "mixed")).isEqualTo("mixed");
    assertThat(RequestInspector.tokenizerModel(snapshot, "unknown")).isEqualTo("unknown");
  }

  @Test
  void noMatchMeansNotInspected() {
    PolicySnapshot snapshot = snapshot("v1", List.of(
        policy("only-embeddings", new PolicyMatchConfig(null, null, null, List.of("/v1/embeddings")))));
    assertThat(select(new InspectionPolicies(), snapshot, "m", "c", "", "/v1/chat/completions")).isEmpty();
  }

  @Test
  void compiledOncePerVersionAndKeptWhenOnlyTheVersionChanges() {
    InspectionPolicies policies = new InspectionPolicies();
    List<InspectionPolicyConfig> configs = List.of(policy("a", null));
    List<CompiledPolicy> first = policies.of(snapshot("v1", configs));
    assertThat(policies.of(snapshot("v1", configs))).isSameAs(first);
    // A runtime-state version bump with the same policies reuses the compiled ones.
    assertThat(policies.of(snapshot("v1+r1", configs))).isSameAs(first);
    List<CompiledPolicy> changed = policies.of(snapshot("v2", List.of(policy("b", null))));
    assertThat(changed).isNotSameAs(first);
    assertThat(changed.get(0).name()).isEqualTo("b");
  }
}
