package dev.tollgate.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The client-facing Envoy listener. */
public record ListenerConfig(
    /* Address Envoy binds. Default: 127.0.0.1 (use 0.0.0.0 to accept remote clients). */
    @JsonProperty("address") String address,
    /* Port Envoy binds. Default: 10000. */
    @JsonProperty("port") Integer port,
    /* TLS, optionally with client-certificate validation (mesh mTLS). Default: none (plain HTTP). */
    @JsonProperty("tls") ListenerTlsConfig tls,
    /* Envoy's per-request access log. Default: JSON lines to /dev/stdout; see AccessLogConfig. */
    @JsonProperty("access_log") AccessLogConfig accessLog) {

  public static final String DEFAULT_ADDRESS = "127.0.0.1";
  public static final int DEFAULT_PORT = 10000;

  /** A plain-HTTP listener whose other fields take their defaults. */
  public ListenerConfig(String address, Integer port) {
    this(address, port, null, AccessLogConfig.DEFAULTS);
  }

  ListenerConfig withDefaults() {
    return new ListenerConfig(
        address == null ? DEFAULT_ADDRESS : address, port == null ? DEFAULT_PORT : port,
        tls == null ? null : tls.withDefaults(),
        accessLog == null ? AccessLogConfig.DEFAULTS : accessLog.withDefaults());
  }
}
