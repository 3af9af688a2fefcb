package dev.tollgate.authz;

import dev.tollgate.core.openai.OpenAiError;

/**
 * The 401s for tokens, one code per way a token can be wrong. Messages say what is wrong, never
 * a claim value or the token, so they leak nothing an attacker could not see in the token itself.
 */
final class JwtErrors {
  private JwtErrors() {}

  static OpenAiError malformed(String why) {
    return unauthorized("The bearer token is not a valid signed JWT: " + why + ".", "invalid_token");
  }

  static OpenAiError algorithm() {
    return unauthorized("The token's signing algorithm is not accepted (alg none and HMAC never are).",
        "unsupported_algorithm");
  }

  static OpenAiError issuer() {
    return unauthorized("The token's issuer is not trusted by this gateway.", "invalid_issuer");
  }

  static OpenAiError audience() {
    return unauthorized("The token was not issued for this gateway (audience).", "invalid_audience");
  }

  static OpenAiError unknownKey() {
    return unauthorized("The token is signed with a key the issuer does not publish (unknown kid).", "unknown_key_id");
  }

  static OpenAiError signature() {
    return unauthorized("The token's signature is not valid.", "invalid_signature");
  }

  static OpenAiError expired() {
    return unauthorized("The token has expired.", "token_expired");
  }

  static OpenAiError notYetValid() {
    return unauthorized("The token is not valid yet (nbf).", "token_not_yet_valid");
  }

  static OpenAiError unknownConsumer() {
    return unauthorized("The token's subject is not a consumer of this gateway.", "unknown_consumer");
  }

  static OpenAiError teamMismatch() {
    return unauthorized("The token's team is not the consumer's team.", "team_mismatch");
  }

  static OpenAiError keysUnavailable() {
    return new OpenAiError(503, "The token issuer's keys could not be fetched; retry shortly.", "api_error", null,
        "jwks_unavailable");
  }

  private static OpenAiError unauthorized(String message, String code) {
    return new OpenAiError(401, message, "invalid_request_error", null, code);
  }
}
