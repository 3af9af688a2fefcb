package dev.tollgate.authz;

import dev.tollgate.core.openai.OpenAiError;
import dev.tollgate.core.policy.ApiKeyEntry;
import dev.tollgate.core.policy.PolicySnapshot;
import java.time.Clock;
import java.util.Map;

/**
 * {@code Authorization: Bearer <key>} checked against stored SHA-256 digests by the policy's one
 * lookup ({@link PolicySnapshot#apiKey}: runtime keys by prefix, config keys by digest, a
 * constant-time comparison either way). Revoked keys are absent from the policy, so they fail like
 * unknown ones; expired keys get their own code so the caller knows to ask for a new key rather
 * than check for a typo.
 */
public final class ApiKeyVerifier implements CredentialVerifier {
  private static final String BEARER = "bearer ";

  private final Clock clock;

  public ApiKeyVerifier() {
    this(Clock.systemUTC());
  }

  public ApiKeyVerifier(Clock clock) {
    this.clock = clock;
  }

  public static OpenAiError expiredApiKey() {
    return OpenAiError.apiKeyExpired();
  }

  @Override
  public Verdict verify(Map<String, String> headers, PolicySnapshot policy) {
    String authorization = headers.get("authorization");
    if (authorization == null) {
      return Verdict.NOT_PRESENTED;
    }
    if (authorization.length() <= BEARER.length()
        || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return new Verdict.Rejected(OpenAiError.invalidApiKey());
    }
    ApiKeyEntry stored = policy.apiKey(authorization.substring(BEARER.length()).strip()).orElse(null);
    if (stored == null) {
      return new Verdict.Rejected(OpenAiError.invalidApiKey());
    }
    if (stored.isExpiredAt(clock.instant())) {
      return new Verdict.Rejected(expiredApiKey());
    }
    return new Verdict.Accepted(new Identity(stored.consumer().name(), "api_key"));
  }
}
