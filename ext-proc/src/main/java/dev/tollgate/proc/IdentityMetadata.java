package dev.tollgate.proc;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.tollgate.core.TollgateHeaders;
import dev.tollgate.core.identity.CallerIdentity;
import io.envoyproxy.envoy.service.ext_proc.v3.ProcessingRequest;
import java.util.Optional;

/** Reads the caller's identity from the ext_authz dynamic metadata Envoy forwards to ext_proc. */
final class IdentityMetadata {
  private IdentityMetadata() {}

  /** Empty when ext_authz named no consumer: then the request was not authenticated. */
  static Optional<CallerIdentity> read(ProcessingRequest request) {
    Struct namespace = request.getMetadataContext().getFilterMetadataMap().get(TollgateHeaders.AUTHZ_NAMESPACE);
    if (namespace == null) {
      return Optional.empty();
    }
    String consumer = string(namespace, CallerIdentity.CONSUMER);
    if (consumer.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new CallerIdentity(consumer, string(namespace, CallerIdentity.TEAM),
        CallerIdentity.splitScopes(string(namespace, CallerIdentity.SCOPES)), string(namespace, CallerIdentity.PLAN),
        string(namespace, CallerIdentity.CREDENTIAL), string(namespace, CallerIdentity.SPIFFE_ID)));
  }

  private static String string(Struct namespace, String key) {
    Value value = namespace.getFieldsMap().get(key);
    return value == null || !value.hasStringValue() ? "" : value.getStringValue();
  }
}
