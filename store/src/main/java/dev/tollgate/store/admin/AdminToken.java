package dev.tollgate.store.admin;

import dev.tollgate.core.Sha256;
import dev.tollgate.core.config.SecretValue;
import java.security.MessageDigest;

/**
 * The token the admin API requires. Compared through SHA-256 digests with a constant-time
 * comparison, so neither the content nor the length of the real token leaks through timing.
 */
public final class AdminToken {
  private final byte[] digest;

  public AdminToken(SecretValue token) {
    this.digest = Sha256.of(token.reveal());
  }

  public boolean matches(String presented) {
    return MessageDigest.isEqual(digest, Sha256.of(presented));
  }

  @Override
  public String toString() {
    return "AdminToken[***]";
  }
}
