package dev.tollgate.xds.translate;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import java.util.List;

/** Everything one config snapshot means to Envoy. Secrets are in here: never log this record. */
public record EnvoyResources(
    List<Listener> listeners, List<RouteConfiguration> routes, List<Cluster> clusters, List<Secret> secrets) {
  public EnvoyResources {
    listeners = List.copyOf(listeners);
    routes = List.copyOf(routes);
    clusters = List.copyOf(clusters);
    secrets = List.copyOf(secrets);
  }

  @Override
  public String toString() {
    return "EnvoyResources[listeners=" + listeners.size() + ", routes=" + routes.size()
        + ", clusters=" + clusters.size() + ", secrets=" + secrets.size() + " (redacted)]";
  }
}
