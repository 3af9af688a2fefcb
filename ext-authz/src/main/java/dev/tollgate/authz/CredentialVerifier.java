package dev.tollgate.authz;

import dev.tollgate.core.policy.PolicySnapshot;
import java.util.Map;

/**
 * One way of proving who is calling (API key today; JWT and mesh identity join later). Verifiers
 * must not block: they run on the gRPC thread.
 */
public interface CredentialVerifier {
  /** @param headers the request headers, names lower-cased as Envoy sends them */
  Verdict verify(Map<String, String> headers, PolicySnapshot policy);
}
