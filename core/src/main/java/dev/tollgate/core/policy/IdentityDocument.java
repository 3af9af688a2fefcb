package dev.tollgate.core.policy;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.tollgate.core.config.AccessNames;
import dev.tollgate.core.config.ConsumerConfig;
import dev.tollgate.core.config.GatewayConfig;
import dev.tollgate.core.config.JwtProviderConfig;
import dev.tollgate.core.config.TeamConfig;
import java.util.List;
import java.util.Objects;

/**
 * The identity part of the policy document: teams, each consumer's team and rights beyond its
 * models, and the JWT providers. Public data only: JWKS are public keys, SPIFFE IDs are names.
 */
public record IdentityDocument(
    @JsonProperty("teams") List<TeamConfig> teams,
    @JsonProperty("consumers") List<ConsumerAccess> consumers,
    @JsonProperty("jwt_providers") List<JwtProviderConfig> jwtProviders) {

  /**
   * @param team "" when the consumer belongs to no team
   * @param requireSpiffeId calls must come over mesh mTLS with a SPIFFE ID
   */
  public record ConsumerAccess(
      @JsonProperty("name") String name,
      @JsonProperty("team") String team,
      @JsonProperty("scopes") List<String> scopes,
      @JsonProperty("endpoints") List<String> endpoints,
      @JsonProperty("plan") String plan,
      @JsonProperty("spiffe_ids") List<String> spiffeIds,
      @JsonProperty("require_spiffe_id") boolean requireSpiffeId) {
    public ConsumerAccess {
      team = team == null ? "" : team;
      scopes = scopes == null ? AccessNames.SCOPES : List.copyOf(scopes);
      endpoints = endpoints == null ? AccessNames.ENDPOINTS : List.copyOf(endpoints);
      plan = plan == null ? "" : plan;
      spiffeIds = spiffeIds == null ? List.of() : List.copyOf(spiffeIds);
    }
  }

  public IdentityDocument {
    teams = teams == null ? List.of() : List.copyOf(teams);
    consumers = consumers == null ? List.of() : List.copyOf(consumers);
    jwtProviders = jwtProviders == null ? List.of() : List.copyOf(jwtProviders);
  }

  public static IdentityDocument empty() {
    return new IdentityDocument(List.of(), List.of(), List.of());
  }

  public static IdentityDocument from(GatewayConfig config) {
    return new IdentityDocument(
        config.teams().stream().filter(Objects::nonNull).toList(),
        config.consumers().stream().filter(Objects::nonNull).map(IdentityDocument::access).toList(),
        config.auth().jwt().providers().stream().filter(Objects::nonNull).toList());
  }

  private static ConsumerAccess access(ConsumerConfig consumer) {
    return new ConsumerAccess(consumer.name(), consumer.team(), consumer.scopes(), consumer.endpoints(),
        consumer.plan(), consumer.spiffeIds(), consumer.requireSpiffeId());
  }
}
