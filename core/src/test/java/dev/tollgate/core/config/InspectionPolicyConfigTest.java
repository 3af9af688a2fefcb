package dev.tollgate.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.policy.PolicyDocument;
import dev.tollgate.core.policy.PolicySnapshot;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The top-level {@code policies:} list and {@code audit_log:}: binding, defaults, located problems. */
class InspectionPolicyConfigTest {
  private static GatewayConfig load(String tail) throws InvalidConfigException {
    return ConfigSnippets.load(ConfigSnippets.MODELS + tail);
  }

  private static List<ConfigProblem> problems(String tail) {
    return ConfigSnippets.problems(ConfigSnippets.MODELS + tail);
  }

  @Test
  void withoutPoliciesNothingIsInspected() throws Exception {
    GatewayConfig config = load("");
    assertThat(config.policies()).isEmpty();
    assertThat(config.auditLog().path()).isNull();
  }

  @Test
  void aMinimalPolicyMatchesEverythingAndTurnsNothingOn() throws Exception {
    InspectionPolicyConfig policy = load("policies: [ { name: all } ]\n").policies().get(0);
    assertThat(policy.match()).isEqualTo(PolicyMatchConfig.ANY);
    assertThat(policy.promptGuard()).isNull();
    assertThat(policy.pii()).isNull();
    assertThat(policy.response()).isNull();
    assertThat(policy.audit().includePrompt()).isFalse();
  }

  @Test
  void aFullPolicyBinds() throws Exception {
    GatewayConfig config = load("""
        audit_log: { path: /var/log/tollgate/audit.jsonl }
        policies:
          - name: support-bots
            match: { models: [ "gpt-4o*" ], consumers: [ web-app ], teams: [ support ], endpoints: [ /v1/chat/completions ] }
            prompt_guard: { action: flag }
            pii: {}
            audit: { include_prompt: true }
        """);
    InspectionPolicyConfig policy = config.policies().get(0);
    assertThat(policy.name()).isEqualTo("support-bots");
    assertThat(policy.match().models()).containsExactly("gpt-4o*");
    assertThat(policy.match().teams()).containsExactly("support");
    assertThat(policy.match().endpoints()).containsExactly("/v1/chat/completions");
    assertThat(policy.promptGuard().action()).isEqualTo("flag");
    assertThat(policy.pii()).isEqualTo(PiiConfig.defaults());
    assertThat(policy.audit().includePrompt()).isTrue();
    assertThat(config.auditLog().path()).isEqualTo("/var/log/tollgate/audit.jsonl");
  }

  @Test
  void problemsNameFileLineAndPath() {
    List<ConfigProblem> found = problems("""
        policies:
          - name: Bad Name
          - name: twice
            match: { endpoints: [ chat ], models: [ "has space" ] }
          - name: twice
            prompt_guard: { action: explode }
            surprise: 1
        """);
    assertThat(found).extracting(ConfigProblem::toString).anySatisfy(p ->
        assertThat(p).startsWith("t.yaml:9:11: policies[0].name"));
    assertThat(found).extracting(ConfigProblem::toString).anySatisfy(p ->
        assertThat(p).contains("policies[1].match.endpoints[0]").contains("/v1/chat/completions"));
    assertThat(found).extracting(ConfigProblem::toString).anySatisfy(p ->
        assertThat(p).contains("policies[1].match.models[0]"));
    assertThat(found).extracting(ConfigProblem::toString).anySatisfy(p ->
        assertThat(p).contains("policies[2].name").contains("duplicate policy name 'twice'"));
    assertThat(found).extracting(ConfigProblem::toString).anySatisfy(p ->
        assertThat(p).contains("policies[2].prompt_guard.action"));
    assertThat(found).extracting(ConfigProblem::toString).anySatisfy(p ->
        assertThat(p).contains("surprise"));
  }

  @Test
  void policiesTravelInThePolicyDocumentAndSnapshot() throws Exception {
    GatewayConfig config = load("""
        policies:
          - name: one
            match: { models: [ m ] }
            prompt_guard: { deny_phrases: [ x ] }
            pii: { request: { EMAIL: mask } }
        """);
    PolicyDocument document = PolicyDocument.from(config, "v1");
    ObjectMapper json = new ObjectMapper();
    // The policy stream sends the document as JSON: it must come back equal.
    PolicyDocument back = json.readValue(json.writeValueAsString(document), PolicyDocument.class);
    assertThat(back.policies()).isEqualTo(document.policies());
    assertThat(PolicySnapshot.of(back).policies()).isEqualTo(config.policies());
  }
}
