package dev.tollgate.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * TLS on the client-facing listener, for mesh (sidecar-to-sidecar) calls: Envoy terminates TLS
 * and, with a client CA, validates the caller's certificate so its SPIFFE ID can be trusted.
 * Paths are read by Envoy; the key file never passes through Tollgate.
 */
public record ListenerTlsConfig(
    /* PEM certificate chain Envoy presents. Required. */
    @JsonProperty("cert_file") String certFile,
    /* PEM private key of that certificate. Required. */
    @JsonProperty("key_file") String keyFile,
    /* PEM CA bundle client certificates are validated against. Default: none (client certificates not asked for). */
    @JsonProperty("client_ca_file") String clientCaFile,
    /* Refuse the TLS handshake without a valid client certificate. Default: false. Needs client_ca_file. */
    @JsonProperty("require_client_cert") Boolean requireClientCert) {

  ListenerTlsConfig withDefaults() {
    return new ListenerTlsConfig(certFile, keyFile, clientCaFile, requireClientCert != null && requireClientCert);
  }
}
