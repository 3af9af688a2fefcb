package dev.tollgate.xds.translate;

/** Names of the Envoy resources Tollgate generates; tests and the bootstrap refer to them too. */
public final class ResourceNames {
  private ResourceNames() {}

  public static final String LISTENER = "tollgate_listener";
  public static final String ROUTE_CONFIG = "tollgate_routes";
  public static final String EXT_SERVICES_CLUSTER = "tollgate_ext_services";
  /** Name of the static cluster in the bootstrap that points at the control plane. */
  public static final String XDS_CLUSTER = "tollgate_xds";

  public static String backendCluster(String backend) {
    return "backend_" + backend;
  }

  public static String credentialSecret(String backend) {
    return "credential_" + backend;
  }
}
