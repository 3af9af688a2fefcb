package dev.tollgate.core.policy;

import dev.tollgate.core.config.AccessNames;
import dev.tollgate.core.identity.CallerIdentity;
import dev.tollgate.core.openai.OpenAiError;
import java.util.Optional;

/**
 * The checks ext_authz makes once it knows who is calling: the mesh identity a consumer or team
 * requires, the endpoint, and the scope for the endpoint's family. Paths that are no model
 * endpoint pass here; the routes answer them (404).
 */
public final class EndpointAccess {
  private EndpointAccess() {}

  /** @return the error to answer with, or empty when the call may go on */
  public static Optional<OpenAiError> check(ConsumerPolicy consumer, CallerIdentity caller, String path) {
    if (consumer.requireSpiffeId()) {
      if (caller.spiffeId().isEmpty()) {
        return Optional.of(new OpenAiError(403, "This consumer may only call over mesh mTLS with a SPIFFE identity.",
            "permission_error", null, "spiffe_id_required"));
      }
      if (!consumer.spiffeIds().isEmpty() && !consumer.spiffeIds().contains(caller.spiffeId())) {
        return Optional.of(new OpenAiError(403, "The calling workload's SPIFFE identity is not one of this consumer's.",
            "permission_error", null, "spiffe_id_not_allowed"));
      }
    }
    String scope = AccessNames.SCOPE_OF_ENDPOINT.get(path);
    if (scope == null) {
      return Optional.empty();
    }
    if (!consumer.endpoints().contains(path)) {
      return Optional.of(new OpenAiError(403, "You are not allowed to call " + path + ".",
          "permission_error", null, "endpoint_not_allowed"));
    }
    if (!caller.scopes().contains(scope)) {
      return Optional.of(new OpenAiError(403, "Your credential lacks the scope '" + scope + "' needed for " + path + ".",
          "permission_error", null, "insufficient_scope"));
    }
    return Optional.empty();
  }
}
