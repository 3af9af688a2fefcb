package dev.tollgate.core.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.core.config.ConfigLoader;
import dev.tollgate.core.identity.CallerIdentity;
import dev.tollgate.core.openai.OpenAiError;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Effective rights (consumer ∩ team, narrowed by a token), model access and endpoint checks. */
class IdentityPolicyTest {
  private static final String YAML = """
      models:
        - { name: gpt-4o, targets: [ { backend: b } ] }
      backends:
        - { name: b, kind: openai-compatible, endpoints: [ { host: 127.0.0.1, port: 1 } ] }
      teams:
        - name: research
          models: [ "gpt-4o*" ]
          endpoints: [ /v1/chat/completions, /v1/embeddings ]
          scopes: [ chat ]
        - name: gated
          require_subscription: true
          require_spiffe_id: true
      consumers:
        - name: alice
          models: [ "*" ]
          team: research
          plan: gold
        - name: erin
          models: [ "*" ]
          team: gated
        - name: svc
          models: [ "*" ]
          spiffe_ids: [ "spiffe://example.org/sa/svc" ]
          require_spiffe_id: true
      """;

  static PolicySnapshot snapshot(RuntimeState runtime) throws Exception {
    PolicyDocument document = PolicyDocument.from(new ConfigLoader(n -> null).parse(YAML, "t.yaml").config(), "v1");
    return PolicySnapshot.of(document.withRuntime("v1", runtime));
  }

  @Test
  void aTeamBoundsTheConsumersModelsEndpointsAndScopes() throws Exception {
    ConsumerPolicy alice = snapshot(RuntimeState.empty()).consumer("alice").orElseThrow();
    assertThat(alice.teamName()).isEqualTo("research");
    assertThat(alice.plan()).isEqualTo("gold");
    assertThat(alice.mayUse("gpt-4o")).isTrue();
    assertThat(alice.mayUse("llama")).isFalse();
    assertThat(alice.endpoints()).containsExactlyInAnyOrder("/v1/chat/completions", "/v1/embeddings");
    assertThat(alice.effectiveScopes(Optional.empty())).containsExactly("chat");
    assertThat(alice.effectiveScopes(Optional.of(List.of("chat", "embeddings", "admin")))).containsExactly("chat");
    assertThat(alice.effectiveScopes(Optional.of(List.of()))).isEmpty();
  }

  @Test
  void subscriptionsDecideModelAccessInAGatedTeam() throws Exception {
    PolicySnapshot none = snapshot(RuntimeState.empty());
    assertThat(code(none, "erin")).isEqualTo("subscription_required");
    assertThat(code(none, "alice")).isNull();
    for (var status : RuntimeState.Status.values()) {
      PolicySnapshot with = snapshot(new RuntimeState(1, List.of(),
          List.of(new RuntimeState.Subscription("erin", "gpt-4o", status))));
      String expected = switch (status) {
        case APPROVED -> null;
        case PENDING -> "subscription_pending";
        case REJECTED, REVOKED -> "subscription_required";
      };
      assertThat(code(with, "erin")).as(status.name()).isEqualTo(expected);
    }
  }

  private static String code(PolicySnapshot policy, String consumer) {
    ModelAccess access = ModelAccess.decide(policy, policy.consumer(consumer).orElseThrow(), "gpt-4o");
    return access instanceof ModelAccess.Denied denied ? denied.error().code() : null;
  }

  @Test
  void endpointScopeAndMeshChecks() throws Exception {
    PolicySnapshot policy = snapshot(RuntimeState.empty());
    ConsumerPolicy alice = policy.consumer("alice").orElseThrow();
    CallerIdentity chatOnly = new CallerIdentity("alice", "research", List.of("chat"), "gold", "api_key", "");
    assertThat(EndpointAccess.check(alice, chatOnly, "/v1/chat/completions")).isEmpty();
    assertThat(EndpointAccess.check(alice, chatOnly, "/v1/completions")).map(OpenAiError::code).contains("endpoint_not_allowed");
    assertThat(EndpointAccess.check(alice, chatOnly, "/v1/embeddings")).map(OpenAiError::code).contains("insufficient_scope");
    assertThat(EndpointAccess.check(alice, chatOnly, "/v1/unknown")).isEmpty();

    ConsumerPolicy svc = policy.consumer("svc").orElseThrow();
    CallerIdentity noMesh = new CallerIdentity("svc", "", svc.effectiveScopes(Optional.empty()), "", "api_key", "");
    assertThat(EndpointAccess.check(svc, noMesh, "/v1/chat/completions")).map(OpenAiError::code).contains("spiffe_id_required");
    CallerIdentity other = new CallerIdentity("svc", "", List.of("chat"), "", "api_key", "spiffe://example.org/sa/other");
    assertThat(EndpointAccess.check(svc, other, "/v1/chat/completions")).map(e -> e.status() + " " + e.code())
        .contains("403 spiffe_id_not_allowed");
    CallerIdentity right = new CallerIdentity("svc", "", List.of("chat"), "", "spiffe", "spiffe://example.org/sa/svc");
    assertThat(EndpointAccess.check(svc, right, "/v1/chat/completions")).isEmpty();
    assertThat(policy.identity().consumerForSpiffeId("spiffe://example.org/sa/svc")).contains("svc");

    // A team's demand applies to its consumers.
    ConsumerPolicy erin = policy.consumer("erin").orElseThrow();
    assertThat(erin.requireSpiffeId()).isTrue();
  }

  @Test
  void theIdentityPartSurvivesThePolicyStreamsJson() throws Exception {
    ObjectMapper json = new ObjectMapper();
    PolicyDocument document = PolicyDocument.from(new ConfigLoader(n -> null).parse(YAML + """
        auth:
          jwt:
            providers:
              - name: idp
                issuer: https://idp.example
                audiences: [ tollgate ]
                jwks: { keys: [ { kty: EC, crv: P-256, x: abc, y: def, kid: k1 } ] }
        """, "t.yaml").config(), "v1");
    PolicyDocument back = json.readValue(json.writeValueAsBytes(document), PolicyDocument.class);
    assertThat(back.identity()).isEqualTo(document.identity());
    PolicySnapshot snapshot = PolicySnapshot.of(back);
    assertThat(snapshot.identity().jwtProvider("https://idp.example")).isPresent();
    assertThat(snapshot.consumer("alice").orElseThrow().endpoints()).hasSize(2);
    assertThat(json.writeValueAsString(document)).contains("\"identity\"");
  }
}
