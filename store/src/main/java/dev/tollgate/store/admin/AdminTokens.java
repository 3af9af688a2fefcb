package dev.tollgate.store.admin;

import dev.tollgate.core.Sha256;
import dev.tollgate.core.config.AdminConfig;
import dev.tollgate.core.config.ControlPlaneConfig;
import dev.tollgate.core.config.CredentialRef;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Every token the admin API accepts, each with its admin's name: {@code control_plane.admin_token}
 * as "admin" and each of {@code control_plane.admins}. A call is made by the admin whose token it
 * presents; that name, not anything the caller says about itself, goes into the decision log.
 */
public final class AdminTokens {
  private final List<AdminToken> tokens;

  public AdminTokens(List<AdminToken> tokens) {
    this.tokens = List.copyOf(tokens);
  }

  /** No admin: every admin call is refused. */
  public static AdminTokens none() {
    return new AdminTokens(List.of());
  }

  /** The configured tokens, resolved now (they are read at start only). The config validated them. */
  public static AdminTokens from(ControlPlaneConfig plane, UnaryOperator<String> environment)
      throws CredentialRef.CredentialException {
    List<AdminToken> tokens = new ArrayList<>();
    if (plane.adminToken() != null) {
      tokens.add(new AdminToken(ControlPlaneConfig.ADMIN_TOKEN_NAME, resolve(plane.adminToken(), environment)));
    }
    for (AdminConfig admin : plane.admins()) {
      tokens.add(new AdminToken(admin.name(), resolve(admin.token(), environment)));
    }
    return new AdminTokens(tokens);
  }

  private static dev.tollgate.core.config.SecretValue resolve(String reference, UnaryOperator<String> environment)
      throws CredentialRef.CredentialException {
    return CredentialRef.parse(reference).orElseThrow().resolve(environment);
  }

  public boolean isEmpty() {
    return tokens.isEmpty();
  }

  /** The admins' names, for start-up messages; never tokens. */
  public List<String> names() {
    return tokens.stream().map(AdminToken::name).toList();
  }

  /**
   * The name of the admin whose token was presented, or empty. Every token is compared, so the
   * time taken does not tell which admin's it is, or how far down the list.
   */
  public Optional<String> admin(String presented) {
    byte[] digest = Sha256.of(presented);
    String found = null;
    for (AdminToken token : tokens) {
      if (token.matches(digest) && found == null) {
        found = token.name();
      }
    }
    return Optional.ofNullable(found);
  }

  @Override
  public String toString() {
    return "AdminTokens" + names();
  }
}
