package dev.tollgate.xds.translate;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.TypeRegistry;
import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.ApiConfigSource;
import io.envoyproxy.envoy.config.core.v3.GrpcService;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.access_loggers.file.v3.FileAccessLog;
import io.envoyproxy.envoy.extensions.access_loggers.stream.v3.StderrAccessLog;
import io.envoyproxy.envoy.extensions.access_loggers.stream.v3.StdoutAccessLog;
import io.envoyproxy.envoy.extensions.filters.http.credential_injector.v3.CredentialInjector;
import io.envoyproxy.envoy.extensions.filters.http.ext_authz.v3.ExtAuthz;
import io.envoyproxy.envoy.extensions.filters.http.ext_proc.v3.ExternalProcessor;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.http.upstream_codec.v3.UpstreamCodec;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.http.injected_credentials.generic.v3.Generic;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.GenericSecret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;

/**
 * One snapshot's resources as a single static Envoy bootstrap (JSON), for {@code envoy --mode
 * validate}: the exact protos served over ADS, with routes inlined into the listener. Secret
 * values are replaced by a placeholder, so the file is safe to keep or show.
 */
public final class StaticBootstrap {
  private static final TypeRegistry TYPES = TypeRegistry.newBuilder()
      .add(HttpConnectionManager.getDescriptor())
      .add(ExtAuthz.getDescriptor())
      .add(ExternalProcessor.getDescriptor())
      .add(Router.getDescriptor())
      .add(FileAccessLog.getDescriptor())
      .add(StdoutAccessLog.getDescriptor())
      .add(StderrAccessLog.getDescriptor())
      .add(UpstreamCodec.getDescriptor())
      .add(CredentialInjector.getDescriptor())
      .add(Generic.getDescriptor())
      .add(UpstreamTlsContext.getDescriptor())
      .add(HttpProtocolOptions.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate.getDescriptor())
      .build();

  private StaticBootstrap() {}

  public static String json(EnvoyResources resources, String xdsAddress, int xdsPort) {
    Bootstrap.Builder bootstrap = Bootstrap.newBuilder();
    bootstrap.getNodeBuilder().setId("tollgate-validate").setCluster("tollgate-validate");
    var statics = bootstrap.getStaticResourcesBuilder();
    for (Listener listener : resources.listeners()) {
      statics.addListeners(inlineRoutes(listener, resources));
    }
    for (Cluster cluster : resources.clusters()) {
      statics.addClusters(staticSecretReferences(cluster));
    }
    statics.addClusters(xdsCluster(xdsAddress, xdsPort));
    for (Secret secret : resources.secrets()) {
      statics.addSecrets(secret.toBuilder().setGenericSecret(GenericSecret.newBuilder()
          .setSecret(DataSource.newBuilder().setInlineString("Bearer redacted"))));
    }
    // SDS references point at ADS; a validating Envoy only needs the source to be declared.
    bootstrap.getDynamicResourcesBuilder().setAdsConfig(ApiConfigSource.newBuilder()
        .setApiType(ApiConfigSource.ApiType.GRPC)
        .setTransportApiVersion(io.envoyproxy.envoy.config.core.v3.ApiVersion.V3)
        .addGrpcServices(GrpcService.newBuilder().setEnvoyGrpc(
            GrpcService.EnvoyGrpc.newBuilder().setClusterName(ResourceNames.XDS_CLUSTER))));
    try {
      return JsonFormat.printer().usingTypeRegistry(TYPES).print(bootstrap);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("a type used in the snapshot is missing from the registry", e);
    }
  }

  /**
   * Points credential injectors at the static secrets below instead of at ADS. Envoy 1.40 crashes
   * (SIGSEGV) in {@code --mode validate} on an ADS-sourced secret in the upstream filter chain of a
   * STATIC cluster, while serving the same config works; a static reference validates everything
   * else unchanged.
   */
  private static Cluster staticSecretReferences(Cluster cluster) {
    String key = "envoy.extensions.upstreams.http.v3.HttpProtocolOptions";
    if (!cluster.getTypedExtensionProtocolOptionsMap().containsKey(key)) {
      return cluster;
    }
    try {
      HttpProtocolOptions options = cluster.getTypedExtensionProtocolOptionsMap().get(key).unpack(HttpProtocolOptions.class);
      HttpProtocolOptions.Builder copy = options.toBuilder().clearHttpFilters();
      for (var filter : options.getHttpFiltersList()) {
        if (filter.getTypedConfig().is(CredentialInjector.class)) {
          CredentialInjector injector = filter.getTypedConfig().unpack(CredentialInjector.class);
          Generic generic = injector.getCredential().getTypedConfig().unpack(Generic.class);
          Generic local = generic.toBuilder()
              .setCredential(generic.getCredential().toBuilder().clearSdsConfig()).build();
          filter = filter.toBuilder().setTypedConfig(com.google.protobuf.Any.pack(injector.toBuilder()
              .setCredential(injector.getCredential().toBuilder()
                  .setTypedConfig(com.google.protobuf.Any.pack(local))).build())).build();
        }
        copy.addHttpFilters(filter);
      }
      return cluster.toBuilder().putTypedExtensionProtocolOptions(key, com.google.protobuf.Any.pack(copy.build())).build();
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Listener inlineRoutes(Listener listener, EnvoyResources resources) {
    Listener.Builder copy = listener.toBuilder().clearFilterChains();
    for (FilterChain chain : listener.getFilterChainsList()) {
      FilterChain.Builder chainCopy = chain.toBuilder().clearFilters();
      for (Filter filter : chain.getFiltersList()) {
        if (filter.getTypedConfig().is(HttpConnectionManager.class)) {
          try {
            HttpConnectionManager hcm = filter.getTypedConfig().unpack(HttpConnectionManager.class);
            String name = hcm.getRds().getRouteConfigName();
            var routes = resources.routes().stream().filter(r -> r.getName().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalStateException("listener refers to missing route config " + name));
            filter = filter.toBuilder().setTypedConfig(com.google.protobuf.Any.pack(
                hcm.toBuilder().clearRds().setRouteConfig(routes).build())).build();
          } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
          }
        }
        chainCopy.addFilters(filter);
      }
      copy.addFilterChains(chainCopy);
    }
    return copy.build();
  }

  private static Cluster xdsCluster(String address, int port) {
    return Cluster.newBuilder()
        .setName(ResourceNames.XDS_CLUSTER)
        .setType(Cluster.DiscoveryType.STATIC)
        .setConnectTimeout(Protos.millis(1000))
        .putTypedExtensionProtocolOptions("envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
            Protos.any(HttpProtocolOptions.newBuilder().setExplicitHttpConfig(
                HttpProtocolOptions.ExplicitHttpConfig.newBuilder().setHttp2ProtocolOptions(
                    io.envoyproxy.envoy.config.core.v3.Http2ProtocolOptions.getDefaultInstance())).build()))
        .setLoadAssignment(ClusterLoadAssignment.newBuilder().setClusterName(ResourceNames.XDS_CLUSTER)
            .addEndpoints(LocalityLbEndpoints.newBuilder().addLbEndpoints(LbEndpoint.newBuilder()
                .setEndpoint(Endpoint.newBuilder().setAddress(Address.newBuilder().setSocketAddress(
                    SocketAddress.newBuilder().setAddress(address).setPortValue(port)))))))
        .build();
  }
}
