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
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Public keys of JWT providers. Inline keys are used as they are; fetched keys are refreshed in
 * the background after the provider's cache time, while the keys held keep serving, so a request
 * waits for a fetch only when there are no keys yet or its kid is unknown. A token with a kid the
 * cached keys lack causes one early refetch (the issuer may have rotated), at most once per
 * {@code jwks_min_refetch_seconds} per URL, so a flood of made-up kids cannot hammer the issuer.
 *
 * <p>One fetch per URL at a time; concurrent requests share it. A failed fetch keeps the last good
 * keys and starts a backoff ({@link #backoff}): until it ends no fetch is started (requests are
 * answered from the keys held, or refused at once when there are none), so an issuer that is down
 * costs one request per backoff step, not one per token, and no token waits for its timeout again
 * and again. One warning per failure streak, one info line when it ends.
 */
final class JwksCache {
  private static final Logger LOG = LoggerFactory.getLogger(JwksCache.class);
  /** A JWKS is a few KB; refuse to hold more than this from a misbehaving server. */
  static final int MAX_JWKS_BYTES = 512 * 1024;
  /** First wait after a failed fetch; it doubles with each failure in a row, up to the cache time. */
  static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);

  /** Keys to verify with now, the fetch to wait for, or none to be had now. */
  sealed interface Lookup {}

  record Ready(JWKSet keys) implements Lookup {}

  /** Completes with the keys (possibly the old ones if the fetch failed), or fails when there are none. */
  record Fetching(CompletableFuture<JWKSet> keys) implements Lookup {}

  /** No keys yet and the last fetch failed moments ago: refused without waiting (backoff). */
  record Unavailable() implements Lookup {}

  private static final Unavailable UNAVAILABLE = new Unavailable();

  /** Guarded by itself, except the volatile fields read on the fast path. */
  private static final class UrlState {
    volatile JWKSet keys;
    volatile Instant fetchedAt = Instant.MIN;
    Instant lastKidRefetch = Instant.MIN;
    CompletableFuture<JWKSet> inFlight;
    /** Failed fetches in a row; 0 after a success. */
    int failures;
    /** No fetch starts before this while failing. */
    Instant retryAt = Instant.MIN;
  }

  private final Map<String, UrlState> states = new ConcurrentHashMap<>();
  private final Map<Map<String, Object>, JWKSet> inline = new ConcurrentHashMap<>();
  private final HttpClient http;
  private final Clock clock;
  private final Logger log;

  JwksCache(Clock clock) {
    this(clock, LOG);
  }

  JwksCache(Clock clock, Logger log) {
    this.clock = clock;
    this.log = log;
    this.http = HttpClient.newBuilder()
        .followRedirects(HttpClient.Redirect.NEVER)
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(2))
        .build();
  }

  /** The wait before the next fetch after {@code failures} failed ones in a row: 1 s, 2 s, 4 s, ... up to the cache time. */
  static Duration backoff(int failures, int cacheSeconds) {
    long seconds = FIRST_BACKOFF.toSeconds() << Math.min(Math.max(failures - 1, 0), 20);
    return Duration.ofSeconds(Math.max(FIRST_BACKOFF.toSeconds(), Math.min(seconds, cacheSeconds)));
  }

  Lookup keys(JwtProviderConfig provider, String kid) {
    if (provider.jwks() != null) {
      return new Ready(inline.computeIfAbsent(provider.jwks(), JwksCache::parseInline));
    }
    UrlState state = states.computeIfAbsent(provider.jwksUrl(), url -> new UrlState());
    Instant now = clock.instant();
    JWKSet cached = state.keys;
    boolean stale = cached == null || now.isAfter(state.fetchedAt.plusSeconds(provider.jwksCacheSeconds()));
    boolean kidMissing = cached != null && kid != null && cached.getKeyByKeyId(kid) == null;
    if (!stale && !kidMissing) {
      return new Ready(cached); // the common case takes no lock
    }
    synchronized (state) {
      boolean mayFetch = !now.isBefore(state.retryAt);
      if (cached == null) {
        if (state.inFlight != null) {
          return new Fetching(state.inFlight);
        }
        return mayFetch ? new Fetching(fetch(provider, state)) : UNAVAILABLE;
      }
      if (kidMissing && mayFetch
          && !now.isBefore(state.lastKidRefetch.plusSeconds(provider.jwksMinRefetchSeconds()))) {
        state.lastKidRefetch = now;
        return new Fetching(fetch(provider, state));
      }
      if (stale && mayFetch) {
        fetch(provider, state); // in the background: the keys held serve until it lands
      }
      return new Ready(cached);
    }
  }

  /** Starts fetching the keys of every URL provider not fetched yet, so the first token does not wait. */
  void prefetch(List<JwtProviderConfig> providers) {
    Instant now = clock.instant();
    for (JwtProviderConfig provider : providers) {
      if (provider.jwksUrl() != null) {
        UrlState state = states.computeIfAbsent(provider.jwksUrl(), url -> new UrlState());
        synchronized (state) {
          if (state.keys == null && !now.isBefore(state.retryAt)) {
            fetch(provider, state);
          }
        }
      }
    }
  }

  /** Failed fetches in a row for this URL; for tests. */
  int failureStreak(String url) {
    UrlState state = states.get(url);
    if (state == null) {
      return 0;
    }
    synchronized (state) {
      return state.failures;
    }
  }

  /** The fetch in flight for this URL, or a new one. Call holding the state's lock. */
  private CompletableFuture<JWKSet> fetch(JwtProviderConfig provider, UrlState state) {
    if (state.inFlight != null) {
      return state.inFlight;
    }
    HttpRequest request = HttpRequest.newBuilder(URI.create(provider.jwksUrl()))
        .timeout(Duration.ofMillis(provider.jwksTimeoutMs()))
        .header("accept", "application/json")
        .GET().build();
    CompletableFuture<JWKSet> fetch = http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
        .orTimeout(provider.jwksTimeoutMs(), TimeUnit.MILLISECONDS)
        .thenApply(JwksCache::readKeySet);
    // Registered before the fetch can complete: a completion on this very thread (the lock is
    // reentrant) must find it and clear it, or later fetches would reuse a finished one.
    CompletableFuture<JWKSet> result = new CompletableFuture<>();
    state.inFlight = result;
    fetch.whenComplete((keys, error) -> finished(provider, state, result, keys, error));
    return result;
  }

  private void finished(JwtProviderConfig provider, UrlState state, CompletableFuture<JWKSet> result,
      JWKSet keys, Throwable error) {
    Instant now = clock.instant();
    int failures;
    int endedStreak;
    Duration wait = Duration.ZERO;
    JWKSet held;
    synchronized (state) {
      if (state.inFlight == result) {
        state.inFlight = null;
      }
      endedStreak = error == null ? state.failures : 0;
      if (error == null) {
        state.keys = keys;
        state.fetchedAt = now;
        state.failures = 0;
        state.retryAt = Instant.MIN;
      } else {
        state.failures++;
        wait = backoff(state.failures, provider.jwksCacheSeconds());
        state.retryAt = now.plus(wait);
      }
      failures = state.failures;
      held = state.keys;
    }
    if (error == null) {
      if (endedStreak > 0) {
        log.info("JWKS of provider '{}' fetched again after {} failed attempts", provider.name(), endedStreak);
      }
      result.complete(keys);
      return;
    }
    if (failures == 1) {
      // Once per streak: an issuer that stays down must not fill the log. Neither the URL (it may
      // carry a credential) nor a library's message (it may quote the URL) is logged.
      log.warn("JWKS fetch for provider '{}' failed ({}); {}; retrying after {} s, then backing off to {} s",
          provider.name(), reason(error), held != null ? "keeping the last keys fetched"
              : "its tokens are refused (503 jwks_unavailable) until a fetch succeeds",
          wait.toSeconds(), backoff(Integer.MAX_VALUE, provider.jwksCacheSeconds()).toSeconds());
    } else {
      log.debug("JWKS fetch for provider '{}' failed again ({}), {} in a row", provider.name(), reason(error), failures);
    }
    if (held != null) {
      result.complete(held); // keep serving with the last good keys
    } else {
      result.completeExceptionally(error);
    }
  }

  private static JWKSet readKeySet(HttpResponse<byte[]> response) {
    if (response.statusCode() != 200) {
      throw new FetchFailed("HTTP " + response.statusCode());
    }
    if (response.body().length > MAX_JWKS_BYTES) {
      throw new FetchFailed("larger than " + MAX_JWKS_BYTES + " bytes");
    }
    try {
      return publicOnly(JWKSet.parse(new String(response.body(), StandardCharsets.UTF_8)));
    } catch (java.text.ParseException e) {
      throw new FetchFailed("not a JSON key set");
    }
  }

  /** A failure this class describes itself, so its message is safe to log. */
  private static final class FetchFailed extends RuntimeException {
    FetchFailed(String message) {
      super(message, null, false, false);
    }
  }

  private static String reason(Throwable error) {
    Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    return cause instanceof FetchFailed ? cause.getMessage() : cause.getClass().getSimpleName();
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
