package dev.tollgate.core.policy;

import dev.tollgate.core.config.TeamConfig;
import java.util.List;
import java.util.Set;

/** A team compiled for decisions: its model patterns, endpoints and scopes bound its consumers'. */
public record TeamPolicy(
    String name, List<ModelPattern> models, Set<String> endpoints, Set<String> scopes,
    boolean requireSubscription, boolean requireSpiffeId) {

  public TeamPolicy {
    models = List.copyOf(models);
    endpoints = Set.copyOf(endpoints);
    scopes = Set.copyOf(scopes);
  }

  static TeamPolicy of(TeamConfig team) {
    return new TeamPolicy(team.name(),
        team.models() == null ? List.of(ModelPattern.of("*")) : team.models().stream().map(ModelPattern::of).toList(),
        Set.copyOf(team.endpoints() == null ? dev.tollgate.core.config.AccessNames.ENDPOINTS : team.endpoints()),
        Set.copyOf(team.scopes() == null ? dev.tollgate.core.config.AccessNames.SCOPES : team.scopes()),
        Boolean.TRUE.equals(team.requireSubscription()), Boolean.TRUE.equals(team.requireSpiffeId()));
  }

  boolean mayUse(String model) {
    for (ModelPattern pattern : models) {
      if (pattern.matches(model)) {
        return true;
      }
    }
    return false;
  }
}
