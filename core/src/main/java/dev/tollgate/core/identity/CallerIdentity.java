package dev.tollgate.core.identity;

import java.util.List;

/**
 * Who is calling, as ext_authz decided it and as it reaches ext_proc, access logs and limits
 * through Envoy's dynamic metadata (namespace {@code envoy.filters.http.ext_authz}, one string
 * field per component under the names in {@link #KEYS}). Never built from client headers.
 *
 * @param consumer the consumer name; never blank
 * @param team the consumer's team (tenant), or "" when the consumer belongs to none
 * @param scopes what this call may do, after a JWT's scopes narrowed the consumer's; sorted
 * @param plan the consumer's plan label for limits and reporting, or ""
 * @param credentialKind how the caller proved who it is: "api_key", "jwt" or "spiffe"
 * @param spiffeId the peer workload's SPIFFE ID when the call came over mesh mTLS, or ""
 */
public record CallerIdentity(
    String consumer, String team, List<String> scopes, String plan, String credentialKind, String spiffeId) {

  public static final String CONSUMER = "consumer";
  public static final String TEAM = "team";
  /** Scopes travel as one space-separated string, as in OAuth's scope claim. */
  public static final String SCOPES = "scopes";
  public static final String PLAN = "plan";
  public static final String CREDENTIAL = "credential";
  public static final String SPIFFE_ID = "spiffe_id";
  public static final List<String> KEYS = List.of(CONSUMER, TEAM, SCOPES, PLAN, CREDENTIAL, SPIFFE_ID);

  public CallerIdentity {
    team = team == null ? "" : team;
    scopes = scopes == null ? List.of() : scopes.stream().sorted().distinct().toList();
    plan = plan == null ? "" : plan;
    credentialKind = credentialKind == null ? "" : credentialKind;
    spiffeId = spiffeId == null ? "" : spiffeId;
  }

  public String scopesJoined() {
    return String.join(" ", scopes);
  }

  public static List<String> splitScopes(String joined) {
    if (joined == null || joined.isBlank()) {
      return List.of();
    }
    return List.of(joined.strip().split("\\s+"));
  }
}
