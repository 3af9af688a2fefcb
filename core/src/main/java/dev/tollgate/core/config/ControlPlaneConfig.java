package dev.tollgate.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** Where the Tollgate JVM listens: one gRPC port (ADS and the ext services) and the admin HTTP API. */
public record ControlPlaneConfig(
    /* Address the gRPC and admin servers bind. Default: 127.0.0.1. */
    @JsonProperty("address") String address,
    /* gRPC port: ADS for Envoy plus ext_authz and ext_proc. Default: 18000. */
    @JsonProperty("grpc_port") Integer grpcPort,
    /* Admin HTTP port (GET /status). Default: 18001. */
    @JsonProperty("admin_port") Integer adminPort,
    /* env:VAR or file:PATH reference to the token the admin API's /admin/ endpoints require; the
       decision log names its holder "admin". Default: none (then, without admins either, the
       control plane alone refuses them; tollgate up generates one). */
    @JsonProperty("admin_token") String adminToken,
    /* Named admins, each with an own token: the decision log records the name of the admin whose
       token made the change. Beside admin_token or instead of it. Default: [] (none). */
    @JsonProperty("admins") List<AdminConfig> admins) {

  /** The name the decision log records for changes made with {@code admin_token}. */
  public static final String ADMIN_TOKEN_NAME = "admin";

  public ControlPlaneConfig {
    admins = Lists.copyOf(admins);
  }

  public ControlPlaneConfig(String address, Integer grpcPort, Integer adminPort) {
    this(address, grpcPort, adminPort, null, null);
  }

  public static final String DEFAULT_ADDRESS = "127.0.0.1";
  public static final int DEFAULT_GRPC_PORT = 18000;
  public static final int DEFAULT_ADMIN_PORT = 18001;

  /** Whether any admin token is configured (admin_token or admins). */
  public boolean hasAdmins() {
    return adminToken != null || !admins.isEmpty();
  }

  ControlPlaneConfig withDefaults() {
    return new ControlPlaneConfig(
        address == null ? DEFAULT_ADDRESS : address,
        grpcPort == null ? DEFAULT_GRPC_PORT : grpcPort,
        adminPort == null ? DEFAULT_ADMIN_PORT : adminPort,
        adminToken,
        admins);
  }
}
