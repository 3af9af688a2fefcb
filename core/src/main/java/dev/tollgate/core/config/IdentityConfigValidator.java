package dev.tollgate.core.config;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;

/**
 * Checks the identity parts of a config: teams, the identity fields of consumers, JWT providers
 * and listener TLS. Called once from {@link ConfigValidator} with YAML paths, so problems get
 * file:line:column.
 */
final class IdentityConfigValidator {
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");
  private static final Pattern CLAIM = Pattern.compile("[A-Za-z0-9_:./-]{1,128}");

  private final BiConsumer<String, String> problem;

  private IdentityConfigValidator(BiConsumer<String, String> problem) {
    this.problem = problem;
  }

  static void validate(GatewayConfig config, BiConsumer<String, String> problem) {
    IdentityConfigValidator validator = new IdentityConfigValidator(problem);
    Set<String> teams = validator.teams(config.teams());
    validator.consumers(config.consumers(), teams);
    validator.jwt(config.auth().jwt());
    validator.tls(config.listener().tls());
  }

  private Set<String> teams(List<TeamConfig> list) {
    Set<String> names = new HashSet<>();
    for (int i = 0; i < list.size(); i++) {
      String at = "teams[" + i + "]";
      TeamConfig team = list.get(i);
      if (team == null) {
        problem.accept(at, "empty team entry");
        continue;
      }
      if (team.name() == null || !NAME.matcher(team.name()).matches()) {
        problem.accept(at + ".name", "required: lower-case letters, digits, '.', '_' or '-', starting with a letter or digit");
      } else if (!names.add(team.name())) {
        problem.accept(at + ".name", "duplicate team name '" + team.name() + "'");
      }
      for (int m = 0; m < team.models().size(); m++) {
        String pattern = team.models().get(m);
        if (pattern == null || pattern.isBlank()) {
          problem.accept(at + ".models[" + m + "]", "empty model pattern");
        }
      }
      endpointsAndScopes(at, team.endpoints(), team.scopes());
    }
    return names;
  }

  private void consumers(List<ConsumerConfig> list, Set<String> teams) {
    Set<String> spiffeIds = new HashSet<>();
    for (int i = 0; i < list.size(); i++) {
      String at = "consumers[" + i + "]";
      ConsumerConfig consumer = list.get(i);
      if (consumer == null) {
        continue; // reported by ConfigValidator
      }
      if (consumer.team() != null && !teams.contains(consumer.team())) {
        problem.accept(at + ".team", "no team named '" + consumer.team() + "'");
      }
      endpointsAndScopes(at, consumer.endpoints(), consumer.scopes());
      for (int s = 0; s < consumer.spiffeIds().size(); s++) {
        String id = consumer.spiffeIds().get(s);
        String idAt = at + ".spiffe_ids[" + s + "]";
        if (id == null || !SpiffeIds.isValid(id)) {
          problem.accept(idAt, "must be a SPIFFE ID: spiffe://<trust domain>/<path>");
        } else if (!spiffeIds.add(id)) {
          problem.accept(idAt, "SPIFFE ID '" + id + "' is mapped to more than one consumer");
        }
      }
    }
  }

  private void endpointsAndScopes(String at, List<String> endpoints, List<String> scopes) {
    for (int e = 0; e < endpoints.size(); e++) {
      if (!known(AccessNames.ENDPOINTS, endpoints.get(e))) {
        problem.accept(at + ".endpoints[" + e + "]", "unknown endpoint, expected one of " + String.join(", ", AccessNames.ENDPOINTS));
      }
    }
    for (int s = 0; s < scopes.size(); s++) {
      if (!known(AccessNames.SCOPES, scopes.get(s))) {
        problem.accept(at + ".scopes[" + s + "]", "unknown scope, expected one of " + String.join(", ", AccessNames.SCOPES));
      }
    }
  }

  private void jwt(JwtConfig jwt) {
    Set<String> names = new HashSet<>();
    Set<String> issuers = new HashSet<>();
    for (int i = 0; i < jwt.providers().size(); i++) {
      String at = "auth.jwt.providers[" + i + "]";
      JwtProviderConfig provider = jwt.providers().get(i);
      if (provider == null) {
        problem.accept(at, "empty provider entry");
        continue;
      }
      if (provider.name() == null || !NAME.matcher(provider.name()).matches()) {
        problem.accept(at + ".name", "required: lower-case letters, digits, '.', '_' or '-', starting with a letter or digit");
      } else if (!names.add(provider.name())) {
        problem.accept(at + ".name", "duplicate provider name '" + provider.name() + "'");
      }
      if (provider.issuer() == null || provider.issuer().isBlank()) {
        problem.accept(at + ".issuer", "required: the exact 'iss' claim of this provider's tokens");
      } else if (!issuers.add(provider.issuer())) {
        problem.accept(at + ".issuer", "two providers have the same issuer");
      }
      if (provider.audiences().isEmpty()) {
        problem.accept(at + ".audiences", "required: at least one audience the tokens must be issued for");
      }
      for (int a = 0; a < provider.audiences().size(); a++) {
        String audience = provider.audiences().get(a);
        if (audience == null || audience.isBlank()) {
          problem.accept(at + ".audiences[" + a + "]", "empty audience");
        }
      }
      keys(at, provider);
      algorithms(at, provider.algorithms());
      range(at + ".clock_skew_seconds", provider.clockSkewSeconds(), 0, JwtProviderConfig.MAX_CLOCK_SKEW_SECONDS);
      range(at + ".jwks_cache_seconds", provider.jwksCacheSeconds(), 1, 86_400);
      range(at + ".jwks_timeout_ms", provider.jwksTimeoutMs(), 50, 10_000);
      range(at + ".jwks_min_refetch_seconds", provider.jwksMinRefetchSeconds(), 1, 3600);
      claim(at + ".consumer_claim", provider.consumerClaim());
      if (provider.teamClaim() != null) {
        claim(at + ".team_claim", provider.teamClaim());
      }
      claim(at + ".scope_claim", provider.scopeClaim());
    }
  }

  private void keys(String at, JwtProviderConfig provider) {
    if ((provider.jwksUrl() == null) == (provider.jwks() == null)) {
      problem.accept(at + ".jwks_url", "exactly one of jwks_url and jwks is required");
      return;
    }
    if (provider.jwksUrl() != null) {
      try {
        URI uri = new URI(provider.jwksUrl());
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
          problem.accept(at + ".jwks_url", "must be an http:// or https:// URL");
        }
      } catch (java.net.URISyntaxException e) {
        problem.accept(at + ".jwks_url", "must be an http:// or https:// URL");
      }
      return;
    }
    if (!(provider.jwks().get("keys") instanceof List<?> keys) || keys.isEmpty()) {
      problem.accept(at + ".jwks.keys", "required: a list of public JWKs");
      return;
    }
    for (int k = 0; k < keys.size(); k++) {
      String keyAt = at + ".jwks.keys[" + k + "]";
      if (!(keys.get(k) instanceof Map<?, ?> key)) {
        problem.accept(keyAt, "must be a JWK (a mapping)");
        continue;
      }
      Object kty = key.get("kty");
      if (!"RSA".equals(kty) && !"EC".equals(kty)) {
        // Symmetric ("oct") keys would let anyone holding the config mint tokens.
        problem.accept(keyAt + ".kty", "must be RSA or EC (public keys only)");
      }
      if (key.containsKey("d") || key.containsKey("p") || key.containsKey("k")) {
        problem.accept(keyAt, "holds private key material; give the public key only");
      }
    }
  }

  private void algorithms(String at, List<String> algorithms) {
    if (algorithms.isEmpty()) {
      problem.accept(at + ".algorithms", "at least one algorithm is required");
    }
    for (int a = 0; a < algorithms.size(); a++) {
      String algorithm = algorithms.get(a);
      if (algorithm != null && (algorithm.equalsIgnoreCase("none") || algorithm.startsWith("HS"))) {
        problem.accept(at + ".algorithms[" + a + "]",
            "'" + algorithm + "' is never accepted: only asymmetric algorithms ("
                + String.join(", ", JwtProviderConfig.SUPPORTED_ALGORITHMS) + ")");
      } else if (!known(JwtProviderConfig.SUPPORTED_ALGORITHMS, algorithm)) {
        problem.accept(at + ".algorithms[" + a + "]",
            "unknown algorithm, expected one of " + String.join(", ", JwtProviderConfig.SUPPORTED_ALGORITHMS));
      }
    }
  }

  private void claim(String path, String claim) {
    if (claim == null || !CLAIM.matcher(claim).matches()) {
      problem.accept(path, "must be a claim name");
    }
  }

  private void tls(ListenerTlsConfig tls) {
    if (tls == null) {
      return;
    }
    file("listener.tls.cert_file", tls.certFile(), true);
    file("listener.tls.key_file", tls.keyFile(), true);
    file("listener.tls.client_ca_file", tls.clientCaFile(), false);
    if (tls.requireClientCert() && tls.clientCaFile() == null) {
      problem.accept("listener.tls.require_client_cert", "needs client_ca_file to validate client certificates against");
    }
  }

  private void file(String path, String value, boolean required) {
    if (value == null) {
      if (required) {
        problem.accept(path, "required: path of a PEM file");
      }
      return;
    }
    try {
      if (!Files.isReadable(Path.of(value))) {
        problem.accept(path, "cannot read the file");
      }
    } catch (java.nio.file.InvalidPathException e) {
      problem.accept(path, "not a valid file path");
    }
  }

  /** Immutable lists throw on contains(null); an empty YAML item is just not a known value. */
  private static boolean known(List<String> allowed, String value) {
    return value != null && allowed.contains(value);
  }

  private void range(String path, int value, int min, int max) {
    if (value < min || value > max) {
      problem.accept(path, "must be between " + min + " and " + max + ", got " + value);
    }
  }
}
