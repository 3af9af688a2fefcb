package dev.tollgate.proc.limits;

import dev.tollgate.core.config.RedisConfig;
import dev.tollgate.core.identity.CallerIdentity;
import dev.tollgate.core.openai.OpenAiError;
import dev.tollgate.core.policy.RequestLimitsPolicy;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Request-rate and concurrency limits for the router stage: one decision per request, right after
 * the model is known and allowed. Counts in memory, or in Redis when the policy names one (then
 * every replica shares the counts). Thread-safe; one instance per ext_proc service.
 */
public final class RequestLimiter implements AutoCloseable {
  static final String HEADER_LIMIT = "x-ratelimit-limit-requests";
  static final String HEADER_REMAINING = "x-ratelimit-remaining-requests";
  static final String HEADER_RESET = "x-ratelimit-reset-requests";
  static final String HEADER_RETRY_AFTER = "retry-after";

  /** At most one warning per this many milliseconds while the store fails. */
  static final long STORE_ERROR_LOG_INTERVAL_MS = 10_000;

  /** Builds Redis stores on a daemon thread of their own, never on a gRPC thread. */
  private static final Executor STARTER = task -> {
    Thread thread = new Thread(task, "tollgate-limits-redis-start");
    thread.setDaemon(true);
    thread.start();
  };

  private final MeterRegistry meters;
  private final ConcurrentHashMap<CounterKey, Counter> counters = new ConcurrentHashMap<>();
  private final Function<RedisConfig, LimitStore> redisStores;
  private final LimitStore memory;
  private final ThrottledLog storeErrors;
  /** The plan and Redis store of the policy seen last; replaced when the policy changes. */
  private volatile Current current = new Current(new LimitPlan(RequestLimitsPolicy.NONE), null);
  private volatile boolean closed;

  /**
   * @param redis the Redis store being built for this policy, or null without Redis. Built off the
   *     request path: the first Lettuce client in a JVM takes over a second to start, longer than
   *     Envoy waits for ext_proc; until it is ready, decisions follow {@code on_error}.
   */
  private record Current(LimitPlan plan, CompletableFuture<LimitStore> redis) {}

  private record CounterKey(String store, String outcome, String scope) {}

  public RequestLimiter(MeterRegistry meters) {
    this(meters, new InMemoryLimitStore(), RedisLimitStore::new);
  }

  RequestLimiter(MeterRegistry meters, LimitStore memory, Function<RedisConfig, LimitStore> redisStores) {
    this(meters, memory, redisStores, LoggerFactory.getLogger(RequestLimiter.class));
  }

  RequestLimiter(MeterRegistry meters, LimitStore memory, Function<RedisConfig, LimitStore> redisStores, Logger log) {
    this.meters = meters;
    this.memory = memory;
    this.redisStores = redisStores;
    this.storeErrors = new ThrottledLog(log, STORE_ERROR_LOG_INTERVAL_MS);
  }

  /**
   * Decides for one request. Call {@link LimitOutcome#release()} when the request ends, however
   * it ends.
   */
  public LimitOutcome acquire(RequestLimitsPolicy policy, CallerIdentity caller, String model) {
    Current now = currentFor(policy);
    List<LimitCheck> checks = now.plan().checks(caller, model);
    if (checks.isEmpty()) {
      return LimitOutcome.UNLIMITED;
    }
    Decision decision;
    LimitStore store = memory;
    if (now.redis() == null) {
      decision = memory.decide(checks, now.plan().leaseMillis(model));
    } else if (!now.redis().isDone()) {
      decision = new Decision.Unavailable("starting");
    } else if (now.redis().isCompletedExceptionally()) {
      decision = new Decision.Unavailable("client_failed"); // logged by the starter
    } else {
      store = now.redis().join();
      decision = store.decide(checks, now.plan().leaseMillis(model));
    }
    if (decision instanceof Decision.Unavailable unavailable) {
      return storeFailed(policy.redis(), unavailable);
    }
    if (decision instanceof Decision.Allowed allowed) {
      count(store, "allowed", "none");
      return new LimitOutcome(null, rateHeaders(allowed.rates()), allowed.lease());
    }
    if (decision instanceof Decision.Limited limited) {
      count(store, "limited", limited.refusedBy().scope());
      return refuse(limited);
    }
    throw new IllegalStateException("unknown decision " + decision);
  }

  /**
   * Readies the store a policy needs (connects to Redis) before requests arrive; call when a
   * policy is published. Cheap when nothing changed.
   */
  public void prepare(RequestLimitsPolicy policy) {
    currentFor(policy);
  }

  private LimitOutcome refuse(Decision.Limited limited) {
    LimitCheck by = limited.refusedBy();
    long retryMillis = Math.max(1000, limited.retryAfterMillis());
    String message = limited.concurrency()
        ? "Too many concurrent requests: " + by.description() + " may have " + by.maxConcurrent()
            + " in flight at once. Please try again when one has finished."
        : "Rate limit reached for requests: " + by.description() + " is limited to "
            + by.rate().requestsPerMinute() + " requests per minute (burst " + by.rate().burst()
            + "). Please try again in " + ResetFormat.of(limited.retryAfterMillis()) + ".";
    Map<String, String> headers = new LinkedHashMap<>(rateHeaders(limited.rates()));
    headers.put(HEADER_RETRY_AFTER, Long.toString((retryMillis + 999) / 1000));
    return new LimitOutcome(new OpenAiError(429, message, "requests", null, "rate_limit_exceeded"),
        Map.copyOf(headers), Lease.NONE);
  }

  private LimitOutcome storeFailed(RedisConfig redis, Decision.Unavailable unavailable) {
    boolean failClosed = redis != null && redis.failClosed();
    meters.counter("tollgate.limits.redis.errors", "reason", unavailable.reason()).increment();
    count("redis", failClosed ? "refused_store_error" : "allowed_store_error", "none");
    storeErrors.warn("request limits: Redis did not answer ({}); {} requests until it does",
        unavailable.reason(), failClosed ? "refusing" : "allowing unlimited");
    if (!failClosed) {
      return LimitOutcome.UNLIMITED;
    }
    return new LimitOutcome(new OpenAiError(503,
        "Request limits cannot be checked right now. Please try again shortly.", "api_error", null,
        "gateway_unavailable"), Map.of(HEADER_RETRY_AFTER, "1"), Lease.NONE);
  }

  /** OpenAI reports one limit: the bucket with the fewest requests left (the longest reset on a tie). */
  private static Map<String, String> rateHeaders(List<RateState> rates) {
    RateState tightest = null;
    for (RateState rate : rates) {
      if (tightest == null || rate.remaining() < tightest.remaining()
          || (rate.remaining() == tightest.remaining() && rate.resetMillis() > tightest.resetMillis())) {
        tightest = rate;
      }
    }
    if (tightest == null) {
      return Map.of();
    }
    return Map.of(HEADER_LIMIT, Integer.toString(tightest.rate().requestsPerMinute()),
        HEADER_REMAINING, Long.toString(tightest.remaining()),
        HEADER_RESET, ResetFormat.of(tightest.resetMillis()));
  }

  private void count(LimitStore store, String outcome, String scope) {
    count(store.kind(), outcome, scope);
  }

  private void count(String store, String outcome, String scope) {
    // Looked up, not registered, per decision: registering builds tags and ids every time.
    counters.computeIfAbsent(new CounterKey(store, outcome, scope), key -> Counter.builder("tollgate.limits.decisions")
        .description("Request-limit decisions by outcome, store and the scope that refused")
        .tag("store", key.store()).tag("outcome", key.outcome()).tag("scope", key.scope())
        .register(meters)).increment();
  }

  private Current currentFor(RequestLimitsPolicy policy) {
    Current seen = current;
    if (seen.plan().policy() == policy) {
      return seen;
    }
    synchronized (this) {
      seen = current;
      if (seen.plan().policy() == policy) {
        return seen;
      }
      CompletableFuture<LimitStore> redis = seen.redis();
      RedisConfig was = seen.plan().policy().redis();
      if (!Objects.equals(was, policy.redis())) {
        // Leases still held in the old store are not released there; they expire on their own.
        closeWhenBuilt(redis);
        RedisConfig settings = policy.redis();
        redis = settings == null || closed ? null
            : CompletableFuture.supplyAsync(() -> redisStores.apply(settings), STARTER);
        if (redis != null) {
          redis.exceptionally(e -> {
            LoggerFactory.getLogger(RequestLimiter.class).error("request limits: cannot create the Redis client", e);
            return null;
          });
        }
      }
      current = new Current(new LimitPlan(policy), redis);
      return current;
    }
  }

  /** True once the current policy's Redis store exists (connected or not); for tests. */
  boolean redisStoreBuilt() {
    CompletableFuture<LimitStore> redis = current.redis();
    return redis != null && redis.isDone();
  }

  private static void closeWhenBuilt(CompletableFuture<LimitStore> store) {
    if (store != null) {
      store.thenAccept(LimitStore::close);
    }
  }

  @Override
  public synchronized void close() {
    closed = true;
    closeWhenBuilt(current.redis());
    memory.close();
  }
}
