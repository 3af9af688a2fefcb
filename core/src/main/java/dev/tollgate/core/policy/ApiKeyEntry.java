package dev.tollgate.core.policy;

import java.security.MessageDigest;
import java.time.Instant;

/**
 * A stored API key: the SHA-256 of the key (never the key), whose key it is, and when it stops
 * working.
 *
 * @param expiresAtEpochSecond 0 when the key never expires (config keys never do)
 */
public record ApiKeyEntry(byte[] sha256, ConsumerPolicy consumer, long expiresAtEpochSecond) {
  public ApiKeyEntry {
    sha256 = sha256.clone();
  }

  public ApiKeyEntry(byte[] sha256, ConsumerPolicy consumer) {
    this(sha256, consumer, 0);
  }

  @Override
  public byte[] sha256() {
    return sha256.clone();
  }

  /** Constant-time comparison with a presented key's digest; no copy on the request path. */
  public boolean matches(byte[] presentedSha256) {
    return MessageDigest.isEqual(sha256, presentedSha256);
  }

  public boolean isExpiredAt(Instant now) {
    return expiresAtEpochSecond != 0 && now.getEpochSecond() >= expiresAtEpochSecond;
  }
}
