package dev.tollgate.xds.translate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.config.ConfigLoader;
import dev.tollgate.core.config.GatewayConfig;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.http.ext_authz.v3.ExtAuthz;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** listener.tls becomes a TLS transport socket that validates client certificates. */
class ListenerTlsTest {
  @TempDir
  Path dir;

  private Listener listener(String tls) throws Exception {
    for (String name : new String[] {"server.pem", "server.key", "ca.pem"}) {
      Files.writeString(dir.resolve(name), "placeholder");
    }
    GatewayConfig config = new ConfigLoader(n -> null).parse(
        "listener: { port: 10000" + tls.replace("DIR", dir.toString()) + " }\n", "t.yaml").config();
    return new ListenerFactory().listener(config, FilterSet.ALL);
  }

  @Test
  void withoutTlsTheListenerIsPlainHttpAndExtAuthzStillAsksForThePeerCertificate() throws Exception {
    Listener listener = listener("");
    assertThat(listener.getFilterChains(0).hasTransportSocket()).isFalse();
    HttpConnectionManager hcm = listener.getFilterChains(0).getFilters(0).getTypedConfig().unpack(HttpConnectionManager.class);
    ExtAuthz authz = hcm.getHttpFilters(0).getTypedConfig().unpack(ExtAuthz.class);
    assertThat(authz.getIncludePeerCertificate()).isTrue();
  }

  @Test
  void mutualTlsValidatesClientCertificatesAgainstTheClientCa() throws Exception {
    Listener listener = listener(", tls: { cert_file: DIR/server.pem, key_file: DIR/server.key,"
        + " client_ca_file: DIR/ca.pem, require_client_cert: true }");
    FilterChain chain = listener.getFilterChains(0);
    DownstreamTlsContext tls = chain.getTransportSocket().getTypedConfig().unpack(DownstreamTlsContext.class);
    assertThat(tls.getRequireClientCertificate().getValue()).isTrue();
    assertThat(tls.getCommonTlsContext().getTlsCertificates(0).getCertificateChain().getFilename())
        .isEqualTo(dir.resolve("server.pem").toString());
    assertThat(tls.getCommonTlsContext().getTlsCertificates(0).getPrivateKey().getFilename())
        .isEqualTo(dir.resolve("server.key").toString());
    assertThat(tls.getCommonTlsContext().getValidationContext().getTrustedCa().getFilename())
        .isEqualTo(dir.resolve("ca.pem").toString());
    assertThat(tls.getCommonTlsContext().getAlpnProtocolsList()).containsExactly("h2", "http/1.1");
  }

  @Test
  void tlsWithoutAClientCaDoesNotAskForClientCertificates() throws Exception {
    Listener listener = listener(", tls: { cert_file: DIR/server.pem, key_file: DIR/server.key }");
    DownstreamTlsContext tls = listener.getFilterChains(0).getTransportSocket().getTypedConfig()
        .unpack(DownstreamTlsContext.class);
    assertThat(tls.getCommonTlsContext().hasValidationContext()).isFalse();
    assertThat(tls.getRequireClientCertificate().getValue()).isFalse();
  }
}
