package dev.tollgate.authz;

import dev.tollgate.core.config.SpiffeIds;
import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The calling workload's SPIFFE ID: the {@code spiffe://} URI SAN of the client certificate Envoy
 * validated on the listener and forwarded with {@code include_peer_certificate}. Without mTLS there
 * is no certificate and so no SPIFFE ID. A certificate with more than one SPIFFE URI is not a
 * valid SVID and yields none.
 */
final class PeerSpiffeId {
  private static final int URI_SAN = 6;

  private PeerSpiffeId() {}

  static Optional<String> of(AttributeContext.Peer source) {
    String encoded = source.getCertificate();
    if (encoded.isEmpty()) {
      return Optional.empty();
    }
    try {
      X509Certificate certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(percentDecode(encoded)));
      Collection<List<?>> names = certificate.getSubjectAlternativeNames();
      if (names == null) {
        return Optional.empty();
      }
      List<String> ids = new ArrayList<>();
      for (List<?> name : names) {
        if (name.size() >= 2 && Integer.valueOf(URI_SAN).equals(name.get(0))
            && name.get(1) instanceof String uri && uri.startsWith("spiffe://")) {
          ids.add(uri);
        }
      }
      return ids.size() == 1 && SpiffeIds.isValid(ids.get(0)) ? Optional.of(ids.get(0)) : Optional.empty();
    } catch (CertificateException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** Envoy percent-encodes the PEM; '+' in base64 is literal, so no form decoding. */
  static byte[] percentDecode(String text) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '%' && i + 2 < text.length()) {
        out.write(Integer.parseInt(text.substring(i + 1, i + 3), 16));
        i += 2;
      } else {
        out.write(c);
      }
    }
    return out.toByteArray();
  }
}
