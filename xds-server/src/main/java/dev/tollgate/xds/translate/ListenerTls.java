package dev.tollgate.xds.translate;

import dev.tollgate.core.config.ListenerTlsConfig;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsCertificate;

/**
 * TLS on the client-facing listener. With a client CA, Envoy asks for and validates the client's
 * certificate, so the SPIFFE ID ext_authz reads from it was vouched for by that CA; a certificate
 * that does not chain to it fails the handshake.
 */
final class ListenerTls {
  private ListenerTls() {}

  static FilterChain.Builder apply(ListenerTlsConfig tls, FilterChain.Builder chain) {
    if (tls == null) {
      return chain;
    }
    CommonTlsContext.Builder common = CommonTlsContext.newBuilder()
        .addAlpnProtocols("h2")
        .addAlpnProtocols("http/1.1")
        .addTlsCertificates(TlsCertificate.newBuilder()
            .setCertificateChain(DataSource.newBuilder().setFilename(tls.certFile()))
            .setPrivateKey(DataSource.newBuilder().setFilename(tls.keyFile())));
    if (tls.clientCaFile() != null) {
      common.setValidationContext(CertificateValidationContext.newBuilder()
          .setTrustedCa(DataSource.newBuilder().setFilename(tls.clientCaFile())));
    }
    DownstreamTlsContext context = DownstreamTlsContext.newBuilder()
        .setCommonTlsContext(common)
        .setRequireClientCertificate(com.google.protobuf.BoolValue.of(tls.requireClientCert()))
        .build();
    return chain.setTransportSocket(TransportSocket.newBuilder()
        .setName("envoy.transport_sockets.tls")
        .setTypedConfig(Protos.any(context)));
  }
}
