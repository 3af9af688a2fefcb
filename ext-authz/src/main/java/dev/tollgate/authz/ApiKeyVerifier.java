package dev.tollgate.authz;

import dev.tollgate.core.Sha256;
import dev.tollgate.core.openai.OpenAiError;
import dev.tollgate.core.policy.ApiKeyEntry;
import dev.tollgate.core.policy.PolicySnapshot;
import java.util.HexFormat;
import java.util.Map;

/**
 * {@code Authorization: Bearer <key>} checked against the consumers' SHA-256 key hashes. The map
 * lookup is keyed by the hash, so its timing can reveal at most something about a SHA-256 output,
 * which does not help find a key; the final comparison of the digests is constant-time.
 */
public final class ApiKeyVerifier implements CredentialVerifier {
  private static final String BEARER = "bearer ";

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
    String hex = HexFormat.of().formatHex(presented);
    ApiKeyEntry stored = policy.apiKeysByHash().get(hex);
    if (stored == null || !stored.matches(presented)) {
      return new Verdict.Rejected(OpenAiError.invalidApiKey());
    }
    return new Verdict.Accepted(new Identity(stored.consumer().name(), "api_key"));
  }

}
