package dev.tollgate.xds.translate;

import dev.tollgate.core.config.LoadedConfig;
import java.util.List;

/** Turns one validated config into the Envoy resources that implement it. Pure: no I/O. */
public final class EnvoyResourceTranslator {
  private final ListenerFactory listeners = new ListenerFactory();
  private final RouteFactory routes = new RouteFactory();
  private final ClusterFactory clusters = new ClusterFactory();
  private final SecretFactory secrets = new SecretFactory();
  private final boolean extFilters;

  /**
   * @param extFilters false only for measuring the floor: the same listener and clusters without
   *     ext_authz and either ext_proc stage (no auth; clients must send the model header
   *     themselves). Never for serving.
   */
  public EnvoyResourceTranslator(boolean extFilters) {
    this.extFilters = extFilters;
  }

  public EnvoyResources translate(LoadedConfig loaded) {
    return new EnvoyResources(
        List.of(listeners.listener(loaded.config(), extFilters)),
        List.of(routes.routes(loaded.config())),
        clusters.clusters(loaded.config(), loaded.backendCredentials().keySet(), extFilters),
        secrets.secrets(loaded.backendCredentials()));
  }
}
