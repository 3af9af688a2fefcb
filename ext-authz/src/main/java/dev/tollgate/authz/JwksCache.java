package dev.tollgate.authz;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import dev.tollgate.core.config.JwtProviderConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Public keys of JWT providers. Inline keys are used as they are; fetched keys are kept for the
 * provider's cache time. A token with a kid the cached keys lack causes one early refetch (the
 * issuer may have rotated), at most once per {@code jwks_min_refetch_seconds} per URL, so a flood
 * of made-up kids cannot hammer the issuer. One fetch per URL at a time; a failed fetch keeps the
 * previous keys.
 */
final class JwksCache {
  private static final Logger LOG = LoggerFactory.getLogger(JwksCache.class);
  /** A JWKS is a few KB; refuse to hold more than this from a misbehaving server. */
  static final int MAX_JWKS_BYTES = 512 * 1024;

  /** Keys to verify with now, or the fetch to wait for. */
  sealed interface Lookup {}

  record Ready(JWKSet keys) implements Lookup {}

  /** Completes with the keys (possibly the old ones if the fetch failed), or fails when there are none. */
  record Fetching(CompletableFuture<JWKSet> keys) implements Lookup {}

  private static final class UrlState {
    volatile JWKSet keys;
    volatile Instant fetchedAt = Instant.MIN;
    volatile Instant lastKidRefetch = Instant.MIN;
    CompletableFuture<JWKSet> inFlight;
  }

  private final Map<String, UrlState> states = new ConcurrentHashMap<>();
  private final Map<Map<String, Object>, JWKSet> inline = new ConcurrentHashMap<>();
  private final HttpClient http;
  private final Clock clock;

  JwksCache(Clock clock) {
    this.clock = clock;
    this.http = HttpClient.newBuilder()
        .followRedirects(HttpClient.Redirect.NEVER)
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(2))
        .build();
  }

  Lookup keys(JwtProviderConfig provider, String kid) {
    if (provider.jwks() != null) {
      return new Ready(inline.computeIfAbsent(provider.jwks(), JwksCache::parseInline));
    }
    UrlState state = states.computeIfAbsent(provider.jwksUrl(), url -> new UrlState());
    Instant now = clock.instant();
    JWKSet cached = state.keys;
    if (cached == null || now.isAfter(state.fetchedAt.plusSeconds(provider.jwksCacheSeconds()))) {
      return new Fetching(fetch(provider, state));
    }
    if (kid != null && cached.getKeyByKeyId(kid) == null) {
      synchronized (state) {
        if (!now.isBefore(state.lastKidRefetch.plusSeconds(provider.jwksMinRefetchSeconds()))) {
          state.lastKidRefetch = now;
          return new Fetching(fetch(provider, state));
        }
      }
    }
    return new Ready(cached);
  }

  /** Starts fetching the keys of every URL provider not fetched yet, so the first token does not wait. */
  void prefetch(java.util.List<JwtProviderConfig> providers) {
    for (JwtProviderConfig provider : providers) {
      if (provider.jwksUrl() != null) {
        UrlState state = states.computeIfAbsent(provider.jwksUrl(), url -> new UrlState());
        if (state.keys == null) {
          fetch(provider, state);
        }
      }
    }
  }

  private CompletableFuture<JWKSet> fetch(JwtProviderConfig provider, UrlState state) {
    synchronized (state) {
      if (state.inFlight != null) {
        return state.inFlight;
      }
      Duration timeout = Duration.ofMillis(provider.jwksTimeoutMs());
      HttpRequest request = HttpRequest.newBuilder(URI.create(provider.jwksUrl()))
          .timeout(timeout)
          .header("accept", "application/json")
          .GET().build();
      CompletableFuture<JWKSet> fetch = http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
          .orTimeout(provider.jwksTimeoutMs(), java.util.concurrent.TimeUnit.MILLISECONDS)
          .thenApply(response -> {
            if (response.statusCode() != 200) {
              throw new IllegalStateException("JWKS answered HTTP " + response.statusCode());
            }
            if (response.body().length > MAX_JWKS_BYTES) {
              throw new IllegalStateException("JWKS larger than " + MAX_JWKS_BYTES + " bytes");
            }
            try {
              return publicOnly(JWKSet.parse(new String(response.body(), StandardCharsets.UTF_8)));
            } catch (java.text.ParseException e) {
              throw new IllegalStateException("JWKS is not a JSON key set");
            }
          });
      // Registered before the fetch can complete: a completion on this very thread (the lock is
      // reentrant) must find it and clear it, or later fetches would reuse a finished one.
      CompletableFuture<JWKSet> result = new CompletableFuture<>();
      state.inFlight = result;
      fetch.whenComplete((keys, error) -> {
        synchronized (state) {
          if (state.inFlight == result) {
            state.inFlight = null;
          }
          if (error == null) {
            state.keys = keys;
            state.fetchedAt = clock.instant();
          }
        }
        if (error == null) {
          result.complete(keys);
          return;
        }
        Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
            ? error.getCause() : error;
        LOG.warn("JWKS fetch for provider '{}' failed: {}", provider.name(), cause.toString());
        JWKSet previous = state.keys;
        if (previous != null) {
          result.complete(previous); // keep serving with the last good keys
        } else {
          result.completeExceptionally(cause);
        }
      });
      return result;
    }
  }

  private static JWKSet parseInline(Map<String, Object> jwks) {
    try {
      return publicOnly(JWKSet.parse(jwks));
    } catch (java.text.ParseException e) {
      throw new IllegalArgumentException("inline JWKS is not a key set", e);
    }
  }

  /** Private parts and symmetric keys never take part in verification. */
  private static JWKSet publicOnly(JWKSet keys) {
    return new JWKSet(keys.getKeys().stream()
        .filter(key -> !(key instanceof com.nimbusds.jose.jwk.OctetSequenceKey))
        .map(JWK::toPublicJWK)
        .toList());
  }
}
