package dev.tollgate.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** Identity providers whose JWTs the gateway accepts. */
public record JwtConfig(
    /* One per issuer. Default: none. */
    @JsonProperty("providers") List<JwtProviderConfig> providers) {

  public JwtConfig {
    providers = Lists.copyOf(providers);
  }

  JwtConfig withDefaults() {
    return new JwtConfig(providers.stream().map(p -> p == null ? null : p.withDefaults()).toList());
  }
}
