package dev.tollgate.xds.translate;

import com.google.protobuf.UInt32Value;
import dev.tollgate.core.TollgateHeaders;
import dev.tollgate.core.config.BackendConfig;
import dev.tollgate.core.config.EndpointConfig;
import dev.tollgate.core.config.GatewayConfig;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.Http1ProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.Http2ProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.extensions.filters.http.credential_injector.v3.CredentialInjector;
import io.envoyproxy.envoy.extensions.filters.http.ext_proc.v3.ExternalProcessor;
import io.envoyproxy.envoy.extensions.filters.http.ext_proc.v3.ProcessingMode;
import io.envoyproxy.envoy.extensions.filters.http.upstream_codec.v3.UpstreamCodec;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.http.injected_credentials.generic.v3.Generic;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.TypedExtensionConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * One cluster per backend, plus the cluster Envoy uses to reach the ext services. Each backend
 * cluster carries its own upstream HTTP filter chain: the upstream ext_proc stage (per attempt,
 * after Envoy picked this cluster, so it can write this target's model name) and the credential
 * injector (the key comes from an SDS secret, so it never appears in routes or client responses).
 */
final class ClusterFactory {
  private static final String HTTP_PROTOCOL_OPTIONS = "envoy.extensions.upstreams.http.v3.HttpProtocolOptions";
  private static final long CONNECT_TIMEOUT_MS = 5_000;

  /** @param extProc false leaves the upstream ext_proc stage out (benchmark modes only) */
  List<Cluster> clusters(GatewayConfig config, Set<String> backendsWithCredential, boolean extProc) {
    List<Cluster> clusters = new ArrayList<>();
    clusters.add(extServicesCluster(config));
    for (BackendConfig backend : config.backends()) {
      clusters.add(backendCluster(backend, backendsWithCredential.contains(backend.name()),
          config.extServices().timeoutMs(), extProc));
    }
    return clusters;
  }

  private Cluster extServicesCluster(GatewayConfig config) {
    HttpProtocolOptions http2 = HttpProtocolOptions.newBuilder()
        .setExplicitHttpConfig(HttpProtocolOptions.ExplicitHttpConfig.newBuilder()
            .setHttp2ProtocolOptions(Http2ProtocolOptions.getDefaultInstance()))
        .build();
    return Cluster.newBuilder()
        .setName(ResourceNames.EXT_SERVICES_CLUSTER)
        .setType(discoveryType(config.extServices().address()))
        .setConnectTimeout(Protos.millis(CONNECT_TIMEOUT_MS))
        .putTypedExtensionProtocolOptions(HTTP_PROTOCOL_OPTIONS, Protos.any(http2))
        .setLoadAssignment(loadAssignment(ResourceNames.EXT_SERVICES_CLUSTER,
            List.of(new EndpointConfig(config.extServices().address(), config.extServices().port(), false, 1))))
        .build();
  }

  private Cluster backendCluster(BackendConfig backend, boolean hasCredential, int extTimeoutMs, boolean extProc) {
    String name = ResourceNames.backendCluster(backend.name());
    HttpProtocolOptions.Builder options = HttpProtocolOptions.newBuilder()
        .setExplicitHttpConfig(HttpProtocolOptions.ExplicitHttpConfig.newBuilder()
            .setHttpProtocolOptions(Http1ProtocolOptions.getDefaultInstance()));
    if (extProc) {
      options.addHttpFilters(upstreamExtProc(extTimeoutMs));
    }
    if (hasCredential) {
      options.addHttpFilters(credentialInjector(backend.name()));
    }
    options.addHttpFilters(HttpFilter.newBuilder()
        .setName("envoy.filters.http.upstream_codec")
        .setTypedConfig(Protos.any(UpstreamCodec.getDefaultInstance())));

    Cluster.Builder cluster = Cluster.newBuilder()
        .setName(name)
        .setType(discoveryType(backend.endpoints().get(0).host()))
        .setConnectTimeout(Protos.millis(CONNECT_TIMEOUT_MS))
        .setDnsLookupFamily(Cluster.DnsLookupFamily.V4_PREFERRED)
        .putTypedExtensionProtocolOptions(HTTP_PROTOCOL_OPTIONS, Protos.any(options.build()))
        .setLoadAssignment(loadAssignment(name, backend.endpoints()));
    EndpointConfig first = backend.endpoints().get(0);
    if (first.tls()) {
      cluster.setTransportSocket(tls(first.host()));
    }
    return cluster.build();
  }

  private static HttpFilter upstreamExtProc(int timeoutMs) {
    // Headers only: the body comes back from the router-level stage's parsed copy, so the
    // request body crosses the wire to the ext service once per request, not once per attempt.
    ExternalProcessor extProc = ExternalProcessor.newBuilder()
        .setGrpcService(Protos.extServices(timeoutMs)
            .addInitialMetadata(HeaderValue.newBuilder()
                .setKey(TollgateHeaders.STAGE_METADATA).setValue(TollgateHeaders.STAGE_UPSTREAM)))
        .setFailureModeAllow(false)
        .setMessageTimeout(Protos.millis(timeoutMs))
        .setProcessingMode(ProcessingMode.newBuilder()
            .setRequestHeaderMode(ProcessingMode.HeaderSendMode.SEND)
            .setResponseHeaderMode(ProcessingMode.HeaderSendMode.SKIP)
            .setRequestBodyMode(ProcessingMode.BodySendMode.NONE)
            .setResponseBodyMode(ProcessingMode.BodySendMode.NONE)
            .setRequestTrailerMode(ProcessingMode.HeaderSendMode.SKIP)
            .setResponseTrailerMode(ProcessingMode.HeaderSendMode.SKIP))
        .build();
    return HttpFilter.newBuilder()
        .setName("envoy.filters.http.ext_proc")
        .setTypedConfig(Protos.any(extProc))
        .build();
  }

  private static HttpFilter credentialInjector(String backend) {
    Generic generic = Generic.newBuilder()
        .setCredential(SdsSecretConfig.newBuilder()
            .setName(ResourceNames.credentialSecret(backend))
            .setSdsConfig(Protos.ads()))
        .setHeader("Authorization")
        .build();
    CredentialInjector injector = CredentialInjector.newBuilder()
        // Overwrite: whatever Authorization the client sent must never reach the provider.
        .setOverwrite(true)
        .setCredential(TypedExtensionConfig.newBuilder()
            .setName("envoy.http.injected_credentials.generic")
            .setTypedConfig(Protos.any(generic)))
        .build();
    return HttpFilter.newBuilder()
        .setName("envoy.filters.http.credential_injector")
        .setTypedConfig(Protos.any(injector))
        .build();
  }

  private static TransportSocket tls(String sni) {
    UpstreamTlsContext context = UpstreamTlsContext.newBuilder()
        .setSni(sni)
        .setCommonTlsContext(CommonTlsContext.newBuilder()
            .setValidationContext(CertificateValidationContext.newBuilder()
                .setSystemRootCerts(CertificateValidationContext.SystemRootCerts.getDefaultInstance())))
        .build();
    return TransportSocket.newBuilder()
        .setName("envoy.transport_sockets.tls")
        .setTypedConfig(Protos.any(context))
        .build();
  }

  private static ClusterLoadAssignment loadAssignment(String cluster, List<EndpointConfig> endpoints) {
    LocalityLbEndpoints.Builder locality = LocalityLbEndpoints.newBuilder();
    for (EndpointConfig endpoint : endpoints) {
      locality.addLbEndpoints(LbEndpoint.newBuilder()
          .setLoadBalancingWeight(UInt32Value.of(endpoint.weight()))
          .setEndpoint(Endpoint.newBuilder().setAddress(Address.newBuilder()
              .setSocketAddress(SocketAddress.newBuilder()
                  .setAddress(endpoint.host()).setPortValue(endpoint.port())))));
    }
    return ClusterLoadAssignment.newBuilder().setClusterName(cluster).addEndpoints(locality).build();
  }

  /** Literal IPs need no resolver; names are re-resolved by Envoy as DNS changes. */
  private static Cluster.DiscoveryType discoveryType(String host) {
    return isIpLiteral(host) ? Cluster.DiscoveryType.STATIC : Cluster.DiscoveryType.STRICT_DNS;
  }

  static boolean isIpLiteral(String host) {
    return host.matches("\\d{1,3}(\\.\\d{1,3}){3}") || host.contains(":");
  }
}
