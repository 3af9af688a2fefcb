package dev.tollgate.core.policy;

import dev.tollgate.core.config.AccessNames;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What ext services need to know about one consumer, with its team's bounds already applied:
 * {@link #endpoints} and {@link #scopes} are the consumer's intersected with the team's.
 *
 * @param team the consumer's team, or null when it belongs to none
 * @param plan plan label for limits and reports, or ""
 * @param spiffeIds mesh workloads that call as this consumer
 * @param requireSpiffeId the consumer's or its team's demand for a mesh identity on every call
 */
public record ConsumerPolicy(
    String name, List<ModelPattern> allowedModels, TeamPolicy team, Set<String> endpoints, Set<String> scopes,
    String plan, Set<String> spiffeIds, boolean requireSpiffeId) {

  public ConsumerPolicy {
    allowedModels = List.copyOf(allowedModels);
    endpoints = Set.copyOf(endpoints);
    scopes = Set.copyOf(scopes);
    plan = plan == null ? "" : plan;
    spiffeIds = Set.copyOf(spiffeIds);
  }

  /** A consumer with models only: no team, every endpoint and scope. */
  public ConsumerPolicy(String name, List<ModelPattern> allowedModels) {
    this(name, allowedModels, null, Set.copyOf(AccessNames.ENDPOINTS), Set.copyOf(AccessNames.SCOPES), "",
        Set.of(), false);
  }

  static ConsumerPolicy of(String name, List<ModelPattern> models, IdentityDocument.ConsumerAccess access,
      TeamPolicy team) {
    if (access == null) {
      return new ConsumerPolicy(name, models);
    }
    Set<String> endpoints = new HashSet<>(access.endpoints());
    Set<String> scopes = new HashSet<>(access.scopes());
    if (team != null) {
      endpoints.retainAll(team.endpoints());
      scopes.retainAll(team.scopes());
    }
    return new ConsumerPolicy(name, models, team, endpoints, scopes, access.plan(), Set.copyOf(access.spiffeIds()),
        access.requireSpiffeId() || team != null && team.requireSpiffeId());
  }

  /** The consumer's own list and, if it has a team, the team's: both must allow the model. */
  public boolean mayUse(String model) {
    boolean listed = false;
    for (ModelPattern pattern : allowedModels) {
      if (pattern.matches(model)) {
        listed = true;
        break;
      }
    }
    return listed && (team == null || team.mayUse(model));
  }

  public String teamName() {
    return team == null ? "" : team.name();
  }

  /**
   * The scopes this call holds: the consumer's, narrowed by a token's when the credential carried
   * scopes (a JWT); a token cannot add a scope the consumer lacks.
   */
  public List<String> effectiveScopes(Optional<List<String>> tokenScopes) {
    Set<String> held = new HashSet<>(scopes);
    tokenScopes.ifPresent(held::retainAll);
    return held.stream().sorted().toList();
  }
}
