package dev.tollgate.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How Envoy reaches the ext_authz and ext_proc gRPC services, and how long it waits for them. */
public record ExtServicesConfig(
    /* Host of the ext services. Default: control_plane.address. */
    @JsonProperty("address") String address,
    /* Port of the ext services. Default: control_plane.grpc_port. */
    @JsonProperty("port") Integer port,
    /* Per-message deadline Envoy gives ext_authz and ext_proc, in ms. Default: 1000. Envoy's own
       default (200 ms) is too tight for a JVM warming up; a request past it fails closed. */
    @JsonProperty("timeout_ms") Integer timeoutMs) {

  public static final int DEFAULT_TIMEOUT_MS = 1000;

  ExtServicesConfig withDefaults(ControlPlaneConfig controlPlane) {
    return new ExtServicesConfig(
        address == null ? controlPlane.address() : address,
        port == null ? controlPlane.grpcPort() : port,
        timeoutMs == null ? DEFAULT_TIMEOUT_MS : timeoutMs);
  }
}
