package dev.tollgate.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One named admin of the admin API ({@code control_plane.admins[]}). The name is what the decision
 * log records for every change made with this admin's token.
 */
public record AdminConfig(
    /* Unique name, recorded as the actor (e.g. ops-alice); letters, digits and ._@+- (at most 64).
       Required. "admin" is taken when control_plane.admin_token is set. */
    @JsonProperty("name") String name,
    /* env:VAR or file:PATH reference to this admin's own token, never the token itself. Read at
       start only. Required. */
    @JsonProperty("token") String token) {

  @Override
  public String toString() {
    // The reference names no secret, but keep records' printouts free of anything token-shaped.
    return "AdminConfig[name=" + name + ", token=" + (token == null ? null : "(reference)") + "]";
  }
}
