package dev.tollgate.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Teams, identity fields of consumers, JWT providers and listener TLS: defaults and located problems. */
class IdentityConfigTest {
  private static final ConfigLoader LOADER = new ConfigLoader(Map.<String, String>of()::get);

  @Test
  void defaultsLeaveOldConfigsAsTheyWere() throws Exception {
    GatewayConfig config = LOADER.parse("""
        consumers:
          - name: app
            models: [ "*" ]
        """, "tollgate.yaml").config();
    ConsumerConfig app = config.consumers().get(0);
    assertThat(app.team()).isNull();
    assertThat(app.scopes()).containsExactly("chat", "completions", "embeddings");
    assertThat(app.endpoints()).containsExactly("/v1/chat/completions", "/v1/completions", "/v1/embeddings");
    assertThat(app.plan()).isEmpty();
    assertThat(app.spiffeIds()).isEmpty();
    assertThat(app.requireSpiffeId()).isFalse();
    assertThat(config.teams()).isEmpty();
    assertThat(config.auth().jwt().providers()).isEmpty();
    assertThat(config.listener().tls()).isNull();
  }

  @Test
  void aJwtProviderGetsItsDocumentedDefaults() throws Exception {
    JwtProviderConfig provider = LOADER.parse("""
        auth:
          jwt:
            providers:
              - name: idp
                issuer: https://idp.example
                audiences: [ tollgate ]
                jwks_url: https://idp.example/jwks.json
        """, "tollgate.yaml").config().auth().jwt().providers().get(0);
    assertThat(provider.algorithms()).containsExactly("RS256", "ES256");
    assertThat(provider.clockSkewSeconds()).isEqualTo(60);
    assertThat(provider.jwksCacheSeconds()).isEqualTo(300);
    assertThat(provider.jwksTimeoutMs()).isEqualTo(500);
    assertThat(provider.jwksMinRefetchSeconds()).isEqualTo(10);
    assertThat(provider.consumerClaim()).isEqualTo("sub");
    assertThat(provider.teamClaim()).isNull();
    assertThat(provider.scopeClaim()).isEqualTo("scope");
  }

  @Test
  void aTeamGetsItsDefaultsAndBindsInlineJwks() throws Exception {
    GatewayConfig config = LOADER.parse("""
        teams:
          - name: research
        auth:
          jwt:
            providers:
              - name: idp
                issuer: https://idp.example
                audiences: [ tollgate ]
                jwks: { keys: [ { kty: EC, crv: P-256, x: abc, y: def, kid: k1 } ] }
        """, "tollgate.yaml").config();
    TeamConfig team = config.teams().get(0);
    assertThat(team.models()).containsExactly("*");
    assertThat(team.requireSubscription()).isFalse();
    assertThat(team.requireSpiffeId()).isFalse();
    assertThat(config.auth().jwt().providers().get(0).jwks().get("keys")).isInstanceOf(List.class);
  }

  @Test
  void everyIdentityMistakeIsReportedWithItsLine() {
    InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class, () -> LOADER.parse("""
        listener:
          tls: { cert_file: /nonexistent/server.pem, key_file: /nonexistent/server.key, require_client_cert: true }
        teams:
          - name: research
            endpoints: [ /v1/images ]
            scopes: [ admin ]
        consumers:
          - name: app
            models: [ "*" ]
            team: nobody
            spiffe_ids: [ "http://not-spiffe" ]
        auth:
          jwt:
            providers:
              - name: idp
                issuer: https://idp.example
                audiences: [ ]
                jwks_url: ftp://idp.example/jwks
                algorithms: [ none, HS256, RS999 ]
                clock_skew_seconds: 3600
              - name: inline
                issuer: https://other.example
                audiences: [ tollgate ]
                jwks: { keys: [ { kty: oct, k: c2VjcmV0 } ] }
        """, "tollgate.yaml"));
    assertThat(e).isNotNull();
    assertThat(e.problems()).extracting(ConfigProblem::toString).contains(
        "tollgate.yaml:2:21: listener.tls.cert_file: cannot read the file",
        "tollgate.yaml:2:56: listener.tls.key_file: cannot read the file",
        "tollgate.yaml:2:102: listener.tls.require_client_cert: needs client_ca_file to validate client certificates against",
        "tollgate.yaml:5:18: teams[0].endpoints[0]: unknown endpoint, expected one of /v1/chat/completions, /v1/completions, /v1/embeddings",
        "tollgate.yaml:6:15: teams[0].scopes[0]: unknown scope, expected one of chat, completions, embeddings",
        "tollgate.yaml:10:11: consumers[0].team: no team named 'nobody'",
        "tollgate.yaml:11:19: consumers[0].spiffe_ids[0]: must be a SPIFFE ID: spiffe://<trust domain>/<path>",
        "tollgate.yaml:17:20: auth.jwt.providers[0].audiences: required: at least one audience the tokens must be issued for",
        "tollgate.yaml:18:19: auth.jwt.providers[0].jwks_url: must be an http:// or https:// URL",
        "tollgate.yaml:20:29: auth.jwt.providers[0].clock_skew_seconds: must be between 0 and 300, got 3600");
    assertThat(e.problems()).extracting(ConfigProblem::toString).anySatisfy(p -> assertThat(p)
        .startsWith("tollgate.yaml:19:23: auth.jwt.providers[0].algorithms[0]: 'none' is never accepted"));
    assertThat(e.problems()).extracting(ConfigProblem::toString).anySatisfy(p -> assertThat(p)
        .startsWith("tollgate.yaml:19:29: auth.jwt.providers[0].algorithms[1]: 'HS256' is never accepted"));
    assertThat(e.problems()).extracting(ConfigProblem::toString).anySatisfy(p -> assertThat(p)
        .startsWith("tollgate.yaml:19:36: auth.jwt.providers[0].algorithms[2]: unknown algorithm"));
    assertThat(e.problems()).extracting(ConfigProblem::toString).anySatisfy(p -> assertThat(p)
        .contains("auth.jwt.providers[1].jwks.keys[0].kty: must be RSA or EC (public keys only)"));
    assertThat(e.problems()).extracting(ConfigProblem::toString).anySatisfy(p -> assertThat(p)
        .contains("auth.jwt.providers[1].jwks.keys[0]: holds private key material"));
    assertThat(e.getMessage()).doesNotContain("c2VjcmV0");
  }

  @Test
  void aSpiffeIdBelongsToOneConsumer() {
    InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class, () -> LOADER.parse("""
        consumers:
          - name: a
            models: [ "*" ]
            spiffe_ids: [ "spiffe://example.org/ns/x/sa/y" ]
          - name: b
            models: [ "*" ]
            spiffe_ids: [ "spiffe://example.org/ns/x/sa/y" ]
        """, "tollgate.yaml"));
    assertThat(e.problems()).extracting(ConfigProblem::toString).containsExactly(
        "tollgate.yaml:7:19: consumers[1].spiffe_ids[0]: SPIFFE ID 'spiffe://example.org/ns/x/sa/y' is mapped to more than one consumer");
  }

  @Test
  void emptyItemsAndBadPathsAreProblemsNotCrashes() {
    InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class, () -> LOADER.parse("""
        listener: { tls: { cert_file: "/nonexistent", key_file: "a\\0b" } }
        teams:
          - name: t
            endpoints: [ ~ ]
            scopes: [ ~ ]
        consumers:
          - name: app
            models: [ "*" ]
            scopes: [ ~ ]
            spiffe_ids: [ ~ ]
        auth:
          jwt:
            providers:
              - { name: idp, issuer: x, audiences: [ a ], jwks_url: "http://h/j", algorithms: [ ~ ] }
        """, "tollgate.yaml"));
    assertThat(e).isNotNull();
    assertThat(e.problems()).extracting(ConfigProblem::toString)
        .anySatisfy(p -> assertThat(p).contains("listener.tls.key_file: not a valid file path"));
    assertThat(e.problems()).extracting(ConfigProblem::path).contains("teams[0].endpoints[0]", "teams[0].scopes[0]",
        "consumers[0].scopes[0]", "consumers[0].spiffe_ids[0]", "auth.jwt.providers[0].algorithms[0]");
  }
}
