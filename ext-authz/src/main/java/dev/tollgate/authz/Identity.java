package dev.tollgate.authz;

import java.util.List;
import java.util.Optional;

/**
 * Who a verified request comes from, and by which kind of credential.
 *
 * @param tokenScopes the scopes a token carried (a JWT's scope claim), which narrow the
 *     consumer's; empty when the credential carries none (API key, mesh identity)
 */
public record Identity(String consumer, String credentialKind, Optional<List<String>> tokenScopes) {
  public Identity {
    tokenScopes = tokenScopes.map(List::copyOf);
  }

  /** A credential that names the consumer and carries no scopes of its own. */
  public Identity(String consumer, String credentialKind) {
    this(consumer, credentialKind, Optional.empty());
  }
}
