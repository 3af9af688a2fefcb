package dev.tollgate.store.admin;

import dev.tollgate.core.Sha256;
import dev.tollgate.core.config.SecretValue;
import java.security.MessageDigest;

/**
 * One admin's token and the name the decision log records for it. Kept as a SHA-256 digest and
 * compared in constant time, so neither the content nor the length of the real token leaks
 * through timing.
 */
public final class AdminToken {
  private final String name;
  private final byte[] digest;

  public AdminToken(String name, SecretValue token) {
    this.name = name;
    this.digest = Sha256.of(token.reveal());
  }

  public String name() {
    return name;
  }

  boolean matches(byte[] presentedDigest) {
    return MessageDigest.isEqual(digest, presentedDigest);
  }

  @Override
  public String toString() {
    return "AdminToken[" + name + ", ***]";
  }
}
