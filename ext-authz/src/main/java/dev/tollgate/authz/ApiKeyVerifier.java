package dev.tollgate.authz;

import dev.tollgate.core.Sha256;
import dev.tollgate.core.openai.OpenAiError;
import dev.tollgate.core.policy.ApiKeyEntry;
import dev.tollgate.core.policy.ApiKeyFormat;
import dev.tollgate.core.policy.PolicySnapshot;
import java.time.Clock;
import java.util.HexFormat;
import java.util.Map;

/**
 * {@code Authorization: Bearer <key>} checked against stored SHA-256 digests. Keys created at run
 * time ({@code tg_<prefix>_<secret>}) are found by their non-secret prefix; config keys by their
 * digest, a lookup whose timing can reveal at most something about a SHA-256 output, which does
 * not help find a key. Either way the final comparison of the digests is constant-time. Revoked
 * keys are absent from the policy, so they fail like unknown ones; expired keys get their own code
 * so the caller knows to ask for a new key rather than check for a typo.
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
    return new OpenAiError(401, "This API key has expired. Ask the gateway's operator for a new one.",
        "invalid_request_error", null, "api_key_expired");
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
    String key = authorization.substring(BEARER.length()).strip();
    byte[] presented = Sha256.of(key);
    ApiKeyEntry stored = ApiKeyFormat.prefixOf(key).map(policy.apiKeysByPrefix()::get).orElse(null);
    if (stored == null) {
      // Not a runtime key (or a prefix the store does not know): maybe a key from the config file.
      stored = policy.apiKeysByHash().get(HexFormat.of().formatHex(presented));
    }
    if (stored == null || !stored.matches(presented)) {
      return new Verdict.Rejected(OpenAiError.invalidApiKey());
    }
    if (stored.isExpiredAt(clock.instant())) {
      return new Verdict.Rejected(expiredApiKey());
    }
    return new Verdict.Accepted(new Identity(stored.consumer().name(), "api_key"));
  }
}
