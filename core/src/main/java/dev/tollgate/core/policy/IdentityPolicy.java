package dev.tollgate.core.policy;

import dev.tollgate.core.config.JwtProviderConfig;
import dev.tollgate.core.config.TeamConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The identity document compiled into lookups: teams by name, each consumer's access by name,
 * the consumer each mesh workload calls as, and JWT providers by issuer.
 */
public record IdentityPolicy(
    Map<String, TeamPolicy> teams,
    Map<String, IdentityDocument.ConsumerAccess> access,
    Map<String, String> consumerBySpiffeId,
    Map<String, JwtProviderConfig> jwtProvidersByIssuer,
    List<JwtProviderConfig> jwtProviders) {

  public IdentityPolicy {
    teams = Map.copyOf(teams);
    access = Map.copyOf(access);
    consumerBySpiffeId = Map.copyOf(consumerBySpiffeId);
    jwtProvidersByIssuer = Map.copyOf(jwtProvidersByIssuer);
    jwtProviders = List.copyOf(jwtProviders);
  }

  public static IdentityPolicy of(IdentityDocument document) {
    Map<String, TeamPolicy> teams = new HashMap<>();
    for (TeamConfig team : document.teams()) {
      teams.put(team.name(), TeamPolicy.of(team));
    }
    Map<String, IdentityDocument.ConsumerAccess> access = new HashMap<>();
    Map<String, String> bySpiffe = new HashMap<>();
    for (IdentityDocument.ConsumerAccess consumer : document.consumers()) {
      access.put(consumer.name(), consumer);
      consumer.spiffeIds().forEach(id -> bySpiffe.put(id, consumer.name()));
    }
    Map<String, JwtProviderConfig> byIssuer = new HashMap<>();
    for (JwtProviderConfig provider : document.jwtProviders()) {
      byIssuer.put(provider.issuer(), provider);
    }
    return new IdentityPolicy(teams, access, bySpiffe, byIssuer, document.jwtProviders());
  }

  /** The consumer with its team's bounds applied. */
  ConsumerPolicy consumer(String name, List<ModelPattern> models) {
    IdentityDocument.ConsumerAccess consumer = access.get(name);
    TeamPolicy team = consumer == null || consumer.team().isEmpty() ? null : teams.get(consumer.team());
    return ConsumerPolicy.of(name, models, consumer, team);
  }

  public Optional<String> consumerForSpiffeId(String spiffeId) {
    return Optional.ofNullable(consumerBySpiffeId.get(spiffeId));
  }

  public Optional<JwtProviderConfig> jwtProvider(String issuer) {
    return Optional.ofNullable(jwtProvidersByIssuer.get(issuer));
  }
}
