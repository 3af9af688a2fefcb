package dev.tollgate.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Credential kinds beyond API keys. Default: none configured (API keys and mesh identity only). */
public record AuthConfig(
    /* JWT bearer tokens. Default: no providers (a JWT is refused as an unknown issuer). */
    @JsonProperty("jwt") JwtConfig jwt) {

  AuthConfig withDefaults() {
    return new AuthConfig((jwt == null ? new JwtConfig(null) : jwt).withDefaults());
  }
}
