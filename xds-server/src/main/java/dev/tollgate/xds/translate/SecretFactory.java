package dev.tollgate.xds.translate;

import dev.tollgate.core.config.SecretValue;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.GenericSecret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import java.util.List;
import java.util.Map;

/** Provider keys as SDS generic secrets, holding the whole Authorization header value. */
final class SecretFactory {

  List<Secret> secrets(Map<String, SecretValue> credentials) {
    return credentials.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .map(entry -> Secret.newBuilder()
            .setName(ResourceNames.credentialSecret(entry.getKey()))
            .setGenericSecret(GenericSecret.newBuilder()
                .setSecret(DataSource.newBuilder().setInlineString("Bearer " + entry.getValue().reveal())))
            .build())
        .toList();
  }
}
