package dev.tollgate.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/** One address of a backend. */
public record EndpointConfig(
    /* DNS name or IP. Required. */
    @JsonProperty("host") String host,
    /* Port. Required. */
    @JsonProperty("port") Integer port,
    /* Connect with TLS (SNI = host, system CA bundle). Default: true when port is 443, else false. */
    @JsonProperty("tls") Boolean tls,
    /* Load-balancing weight among this backend's endpoints, 1..1000. Default: 1. */
    @JsonProperty("weight") Integer weight) {

  EndpointConfig withDefaults() {
    return new EndpointConfig(
        host, port, tls == null ? Integer.valueOf(443).equals(port) : tls,
        weight == null ? 1 : weight);
  }
}
