package dev.tollgate.authz;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.EncryptedJWT;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.tollgate.core.config.JwtProviderConfig;
import dev.tollgate.core.policy.ConsumerPolicy;
import dev.tollgate.core.policy.PolicySnapshot;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * {@code Authorization: Bearer <JWT>}: a signed token from a configured provider. The token's
 * {@code iss} picks the provider; its algorithm must be on that provider's allow-list
 * (asymmetric only, so a public key can never be used as an HMAC secret); the signature is
 * checked with the provider's key of that kid and key type; then exp/nbf with the provider's
 * clock skew, the audience, and the consumer claim, which must name a configured consumer.
 * A bearer that does not look like a JWT is left to the API-key verifier.
 */
public final class JwtVerifier implements CredentialVerifier {
  private static final String BEARER = "bearer ";
  /** Three base64url parts; the signature may be empty (alg none), so that case is recognised and refused. */
  private static final Pattern JWT_SHAPE = Pattern.compile("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*");

  private final JwksCache jwks;
  private final Clock clock;
  private volatile List<JwtProviderConfig> lastProviders;

  public JwtVerifier() {
    this(Clock.systemUTC());
  }

  JwtVerifier(Clock clock) {
    this(clock, new JwksCache(clock));
  }

  JwtVerifier(Clock clock, JwksCache jwks) {
    this.clock = clock;
    this.jwks = jwks;
  }

  static boolean looksLikeJwt(String token) {
    return token.length() <= 16 * 1024 && JWT_SHAPE.matcher(token).matches();
  }

  @Override
  public Verdict verify(Map<String, String> headers, PolicySnapshot policy) {
    List<JwtProviderConfig> providers = policy.identity().jwtProviders();
    if (providers != lastProviders) {
      // A new policy: fetch new providers' keys now rather than on their first token.
      lastProviders = providers;
      jwks.prefetch(providers);
    }
    String authorization = headers.get("authorization");
    if (authorization == null || authorization.length() <= BEARER.length()
        || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return Verdict.NOT_PRESENTED;
    }
    String token = authorization.substring(BEARER.length()).strip();
    if (!looksLikeJwt(token)) {
      return Verdict.NOT_PRESENTED;
    }
    return check(token, policy);
  }

  private Verdict check(String token, PolicySnapshot policy) {
    JWT parsed;
    try {
      parsed = JWTParser.parse(token);
    } catch (ParseException e) {
      return reject(JwtErrors.malformed("unreadable header or claims"));
    }
    if (parsed instanceof PlainJWT) {
      return reject(JwtErrors.algorithm());
    }
    if (parsed instanceof EncryptedJWT || !(parsed instanceof SignedJWT jwt)) {
      return reject(JwtErrors.malformed("encrypted tokens are not accepted"));
    }
    String algorithm = jwt.getHeader().getAlgorithm().getName();
    if (!JwtProviderConfig.SUPPORTED_ALGORITHMS.contains(algorithm)) {
      return reject(JwtErrors.algorithm());
    }
    JWTClaimsSet claims;
    try {
      claims = jwt.getJWTClaimsSet();
    } catch (ParseException e) {
      return reject(JwtErrors.malformed("unreadable claims"));
    }
    JwtProviderConfig provider = claims.getIssuer() == null ? null
        : policy.identity().jwtProvider(claims.getIssuer()).orElse(null);
    if (provider == null) {
      return reject(JwtErrors.issuer());
    }
    if (!provider.algorithms().contains(algorithm)) {
      return reject(JwtErrors.algorithm());
    }
    String kid = jwt.getHeader().getKeyID();
    JwksCache.Lookup lookup = jwks.keys(provider, kid);
    if (lookup instanceof JwksCache.Ready ready) {
      return finish(jwt, claims, provider, ready.keys(), policy);
    }
    if (lookup instanceof JwksCache.Unavailable) {
      return reject(JwtErrors.keysUnavailable()); // the issuer failed moments ago: no wait
    }
    return new Verdict.Deferred(((JwksCache.Fetching) lookup).keys().handle((keys, error) -> error != null
        ? reject(JwtErrors.keysUnavailable())
        : finish(jwt, claims, provider, keys, policy)));
  }

  private Verdict finish(SignedJWT jwt, JWTClaimsSet claims, JwtProviderConfig provider, JWKSet keys,
      PolicySnapshot policy) {
    JWSAlgorithm algorithm = jwt.getHeader().getAlgorithm();
    String kid = jwt.getHeader().getKeyID();
    List<JWK> candidates = new ArrayList<>();
    for (JWK key : keys.getKeys()) {
      if (kid != null && !kid.equals(key.getKeyID())) {
        continue;
      }
      if (key.getKeyUse() != null && key.getKeyUse() != KeyUse.SIGNATURE) {
        continue;
      }
      if (key.getAlgorithm() != null && !key.getAlgorithm().getName().equals(algorithm.getName())) {
        continue;
      }
      candidates.add(key);
    }
    if (candidates.isEmpty()) {
      return reject(JwtErrors.unknownKey());
    }
    if (!verifiedByAny(jwt, algorithm, candidates)) {
      return reject(JwtErrors.signature());
    }
    // Only a token with a valid signature gets past here: the claims below are the issuer's.
    Instant now = clock.instant();
    long skew = provider.clockSkewSeconds();
    Date expires = claims.getExpirationTime();
    if (expires == null) {
      return reject(JwtErrors.malformed("no expiry (exp)"));
    }
    if (now.isAfter(expires.toInstant().plusSeconds(skew))) {
      return reject(JwtErrors.expired());
    }
    Date notBefore = claims.getNotBeforeTime();
    if (notBefore != null && now.isBefore(notBefore.toInstant().minusSeconds(skew))) {
      return reject(JwtErrors.notYetValid());
    }
    List<String> audiences = claims.getAudience();
    if (audiences == null || audiences.stream().noneMatch(provider.audiences()::contains)) {
      return reject(JwtErrors.audience());
    }
    Object consumerClaim = claims.getClaim(provider.consumerClaim());
    if (!(consumerClaim instanceof String consumerName) || consumerName.isBlank()) {
      return reject(JwtErrors.malformed("no consumer claim '" + provider.consumerClaim() + "'"));
    }
    ConsumerPolicy consumer = policy.consumer(consumerName).orElse(null);
    if (consumer == null) {
      return reject(JwtErrors.unknownConsumer());
    }
    if (provider.teamClaim() != null && !consumer.teamName().equals(claims.getClaim(provider.teamClaim()))) {
      return reject(JwtErrors.teamMismatch());
    }
    Optional<List<String>> scopes = scopes(claims.getClaim(provider.scopeClaim()));
    if (scopes == null) {
      return reject(JwtErrors.malformed("the scope claim is neither a string nor a list of strings"));
    }
    return new Verdict.Accepted(new Identity(consumer.name(), "jwt", Optional.of(scopes.orElse(List.of()))));
  }

  /** A missing claim grants no scope; a claim of the wrong type is refused (null). */
  private static Optional<List<String>> scopes(Object claim) {
    if (claim == null) {
      return Optional.empty();
    }
    if (claim instanceof String text) {
      return Optional.of(text.isBlank() ? List.of() : List.of(text.strip().split("\\s+")));
    }
    if (claim instanceof Collection<?> list) {
      List<String> scopes = new ArrayList<>();
      for (Object item : list) {
        if (!(item instanceof String scope)) {
          return null;
        }
        scopes.add(scope);
      }
      return Optional.of(scopes);
    }
    return null;
  }

  private static boolean verifiedByAny(SignedJWT jwt, JWSAlgorithm algorithm, List<JWK> candidates) {
    for (JWK key : candidates) {
      try {
        JWSVerifier verifier = verifierFor(algorithm, key);
        if (verifier != null && jwt.verify(verifier)) {
          return true;
        }
      } catch (JOSEException e) {
        // A key of the wrong curve or size for this algorithm: it cannot have signed the token.
      }
    }
    return false;
  }

  /** The key's type must match the algorithm's family; anything else cannot verify. */
  private static JWSVerifier verifierFor(JWSAlgorithm algorithm, JWK key) throws JOSEException {
    if (JWSAlgorithm.Family.RSA.contains(algorithm) && key instanceof RSAKey rsa) {
      return new RSASSAVerifier(rsa.toRSAPublicKey());
    }
    if (JWSAlgorithm.Family.EC.contains(algorithm) && key instanceof ECKey ec) {
      return new ECDSAVerifier(ec.toECPublicKey());
    }
    return null;
  }

  private static Verdict reject(dev.tollgate.core.openai.OpenAiError error) {
    return new Verdict.Rejected(error);
  }
}
