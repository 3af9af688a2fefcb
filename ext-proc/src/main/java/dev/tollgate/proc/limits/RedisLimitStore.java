package dev.tollgate.proc.limits;

import dev.tollgate.core.config.RedisConfig;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import io.lettuce.core.resource.DefaultClientResources;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Limits counted in Redis, shared by every gateway replica that points at it. One decision is one
 * round trip: a Lua script ({@code decide.lua}, run by EVALSHA) checks and takes every limit
 * atomically. Concurrency slots are leases in a sorted set that expire on their own, so a gateway
 * that dies cannot hold slots for longer than the request could have lasted.
 *
 * <p>Never waits longer than {@code timeout_ms}: while Redis is unreachable commands are refused
 * at once (not queued), and a decision that does not come back in time is {@link
 * Decision.Unavailable}; the caller applies {@code on_error}.
 */
final class RedisLimitStore implements LimitStore {
  static final String SCRIPT = loadScript();
  private static final long RECONNECT_INTERVAL_MS = 500;
  static final int FAILURES_TO_OPEN = 3;
  static final long OPEN_MILLIS = 1000;

  private final RedisConfig config;
  private final ClientResources resources;
  private final RedisClient client;
  private final RedisURI uri;
  private final String scriptSha;
  private final AtomicReference<StatefulRedisConnection<String, String>> connection = new AtomicReference<>();
  private final AtomicBoolean connecting = new AtomicBoolean();
  private final AtomicLong lastConnectAttempt = new AtomicLong(Long.MIN_VALUE / 2);
  private volatile boolean closed;
  private final AtomicInteger consecutiveFailures = new AtomicInteger();
  private volatile long openUntilNanos = System.nanoTime();

  RedisLimitStore(RedisConfig config) {
    this.config = config;
    Duration timeout = Duration.ofMillis(config.timeoutMs());
    this.resources = DefaultClientResources.builder()
        .ioThreadPoolSize(2)
        .computationThreadPoolSize(1)
        // Lettuce's default backs off to 30 s; limits should come back soon after Redis does.
        .reconnectDelay(Delay.exponential(Duration.ofMillis(50), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS))
        .build();
    this.uri = RedisURI.create(config.url());
    uri.setTimeout(timeout);
    this.client = RedisClient.create(resources, uri);
    client.setOptions(ClientOptions.builder()
        .autoReconnect(true)
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .socketOptions(SocketOptions.builder().connectTimeout(Duration.ofMillis(Math.max(100, config.timeoutMs()))).build())
        .timeoutOptions(TimeoutOptions.enabled(timeout))
        .build());
    this.scriptSha = sha1Hex(SCRIPT);
    connectInBackground();
  }

  private static String loadScript() {
    try (InputStream in = RedisLimitStore.class.getResourceAsStream("decide.lua")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** EVALSHA names a script by the SHA-1 of its text. */
  private static String sha1Hex(String text) {
    try {
      return java.util.HexFormat.of().formatHex(
          java.security.MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is part of every JRE", e);
    }
  }

  /** Starts one connection attempt unless one runs or the last started a moment ago. */
  private void connectInBackground() {
    long now = System.nanoTime() / 1_000_000;
    long last = lastConnectAttempt.get();
    if (closed || now - last < RECONNECT_INTERVAL_MS || !lastConnectAttempt.compareAndSet(last, now)
        || !connecting.compareAndSet(false, true)) {
      return;
    }
    client.connectAsync(StringCodec.UTF8, uri).toCompletableFuture()
        .whenComplete((conn, error) -> {
          connecting.set(false);
          if (error != null) {
            return;
          }
          if (closed) {
            conn.closeAsync();
          } else {
            connection.set(conn);
          }
        });
  }

  /**
   * Asks Redis, unless its last {@value #FAILURES_TO_OPEN} answers in a row failed: then answers
   * Unavailable at once for {@value #OPEN_MILLIS} ms before trying again. A slow Redis would otherwise
   * hold the calling gRPC thread for {@code timeout_ms} on every request, and that thread serves
   * other requests' ext_proc messages too.
   */
  @Override
  public Decision decide(List<LimitCheck> checks, long leaseMillis) {
    long now = System.nanoTime();
    if (now - openUntilNanos < 0) {
      return new Decision.Unavailable("circuit_open");
    }
    Decision decision = ask(checks, leaseMillis);
    if (!(decision instanceof Decision.Unavailable)) {
      consecutiveFailures.set(0);
    } else if (consecutiveFailures.incrementAndGet() >= FAILURES_TO_OPEN) {
      consecutiveFailures.set(0);
      openUntilNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(OPEN_MILLIS);
    }
    return decision;
  }

  private Decision ask(List<LimitCheck> checks, long leaseMillis) {
    StatefulRedisConnection<String, String> conn = connection.get();
    if (conn == null) {
      connectInBackground();
      return new Decision.Unavailable("not_connected");
    }
    String lease = Long.toHexString(ThreadLocalRandom.current().nextLong()) + Long.toHexString(System.nanoTime());
    String[] keys = new String[checks.size() * 2];
    String[] args = new String[3 + checks.size() * 3];
    args[0] = lease;
    args[1] = Long.toString(leaseMillis);
    args[2] = Integer.toString(checks.size());
    for (int i = 0; i < checks.size(); i++) {
      LimitCheck check = checks.get(i);
      keys[2 * i] = config.keyPrefix() + "rate:" + check.key();
      keys[2 * i + 1] = config.keyPrefix() + "slots:" + check.key();
      args[3 + 3 * i] = check.rate() == null ? "0" : Integer.toString(check.rate().requestsPerMinute());
      args[4 + 3 * i] = check.rate() == null ? "0" : Integer.toString(check.rate().burst());
      args[5 + 3 * i] = Integer.toString(check.maxConcurrent());
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.timeoutMs());
    List<Object> reply;
    try {
      reply = await(conn.async().<List<Object>>evalsha(scriptSha, ScriptOutputType.MULTI, keys, args), deadline);
    } catch (ExecutionException e) {
      if (!isNoScript(e)) {
        return new Decision.Unavailable(describe(e.getCause()));
      }
      // Redis restarted (its script cache is empty): send the script itself once.
      try {
        reply = await(conn.async().<List<Object>>eval(SCRIPT, ScriptOutputType.MULTI, keys, args), deadline);
      } catch (ExecutionException again) {
        return new Decision.Unavailable(describe(again.getCause()));
      } catch (TimeoutException timeout) {
        return new Decision.Unavailable("timeout");
      }
    } catch (TimeoutException e) {
      return new Decision.Unavailable("timeout");
    }
    return read(reply, checks, lease, conn);
  }

  private static <T> T await(io.lettuce.core.RedisFuture<T> future, long deadlineNanos)
      throws ExecutionException, TimeoutException {
    long left = Math.max(0, deadlineNanos - System.nanoTime());
    try {
      return future.toCompletableFuture().get(left, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TimeoutException("interrupted");
    } catch (TimeoutException e) {
      future.cancel(false);
      throw e;
    }
  }

  private static boolean isNoScript(ExecutionException e) {
    String message = e.getCause() == null ? null : e.getCause().getMessage();
    return message != null && message.startsWith("NOSCRIPT");
  }

  private static String describe(Throwable cause) {
    if (cause instanceof io.lettuce.core.RedisCommandTimeoutException) {
      return "timeout";
    }
    return cause == null ? "error" : cause.getClass().getSimpleName();
  }

  private Decision read(List<Object> reply, List<LimitCheck> checks, String lease,
      StatefulRedisConnection<String, String> conn) {
    boolean allowed = ((Long) reply.get(0)) == 1L;
    int refusedIndex = ((Long) reply.get(1)).intValue();
    String refusedKind = (String) reply.get(2);
    long retryMs = (Long) reply.get(3);
    List<RateState> rates = new ArrayList<>();
    List<String> slotKeys = new ArrayList<>();
    for (int i = 0; i < checks.size(); i++) {
      LimitCheck check = checks.get(i);
      if (check.rate() != null) {
        rates.add(new RateState(check.rate(), Double.parseDouble((String) reply.get(4 + i))));
      }
      if (check.limitsConcurrency()) {
        slotKeys.add(config.keyPrefix() + "slots:" + check.key());
      }
    }
    if (!allowed) {
      return new Decision.Limited(checks.get(refusedIndex - 1), "concurrency".equals(refusedKind), retryMs, rates);
    }
    return new Decision.Allowed(rates, slotKeys.isEmpty() ? Lease.NONE : new RedisLease(conn, slotKeys, lease));
  }

  /** Removes the lease from each slot set; if Redis is away then, the lease expires on its own. */
  private static final class RedisLease implements Lease {
    private final StatefulRedisConnection<String, String> conn;
    private final List<String> slotKeys;
    private final String lease;
    private final AtomicBoolean released = new AtomicBoolean();

    RedisLease(StatefulRedisConnection<String, String> conn, List<String> slotKeys, String lease) {
      this.conn = conn;
      this.slotKeys = slotKeys;
      this.lease = lease;
    }

    @Override
    public void release() {
      if (!released.compareAndSet(false, true)) {
        return;
      }
      for (String key : slotKeys) {
        // Fire and forget: never hold up the end of a response for Redis.
        conn.async().zrem(key, lease).exceptionally(e -> 0L);
      }
    }
  }

  @Override
  public String kind() {
    return "redis";
  }

  @Override
  public void close() {
    closed = true;
    StatefulRedisConnection<String, String> conn = connection.getAndSet(null);
    if (conn != null) {
      conn.closeAsync();
    }
    CompletableFuture<Void> shutdown = client.shutdownAsync(0, 2, TimeUnit.SECONDS);
    shutdown.whenComplete((ok, error) -> resources.shutdown(0, 2, TimeUnit.SECONDS));
  }
}
