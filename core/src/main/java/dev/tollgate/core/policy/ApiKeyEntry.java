package dev.tollgate.core.policy;

/** A stored API key: the SHA-256 of the key (never the key) and whose key it is. */
public record ApiKeyEntry(byte[] sha256, ConsumerPolicy consumer) {
  public ApiKeyEntry {
    sha256 = sha256.clone();
  }

  @Override
  public byte[] sha256() {
    return sha256.clone();
  }

  /** Constant-time comparison with a presented key's digest; no copy on the request path. */
  public boolean matches(byte[] presentedSha256) {
    return java.security.MessageDigest.isEqual(sha256, presentedSha256);
  }
}
