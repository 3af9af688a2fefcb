package dev.tollgate.xds.translate;

import dev.tollgate.core.config.LoadedConfig;
import java.util.List;

/** Turns one validated config into the Envoy resources that implement it. Pure: no I/O. */
public final class EnvoyResourceTranslator {
  private final ListenerFactory listeners = new ListenerFactory();
  private final RouteFactory routes = new RouteFactory();
  private final ClusterFactory clusters = new ClusterFactory();
  private final SecretFactory secrets = new SecretFactory();
  private final FilterSet filters;

  /** @param filters {@link FilterSet#ALL} to serve; the others only to measure the floor */
  public EnvoyResourceTranslator(FilterSet filters) {
    this.filters = filters;
  }

  public EnvoyResources translate(LoadedConfig loaded) {
    return new EnvoyResources(
        List.of(listeners.listener(loaded.config(), filters)),
        List.of(routes.routes(loaded.config(), filters)),
        clusters.clusters(loaded.config(), loaded.backendCredentials().keySet(), filters.extProc()),
        secrets.secrets(loaded.backendCredentials()));
  }
}
