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
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A Lettuce connection to the {@code redis:} section's server, set up the way the request limits
 * need it: never waits longer than {@code timeout_ms}, refuses commands at once while disconnected,
 * reconnects in the background, runs a Lua script by EVALSHA (sending the text once after a Redis
 * restart), and after {@value #FAILURES_TO_OPEN} failed answers in a row answers "circuit_open" at
 * once for {@value #OPEN_MILLIS} ms, so a slow Redis cannot hold a gRPC thread for
 * {@code timeout_ms} on every request.
 *
 * <p>Links made for the same settings share one client and connection (request limits and budgets
 * in one process open one, not two); each link keeps its own circuit breaker, so one user's
 * failures never pause the other's calls. The client closes when its last link does.
 */
public final class RedisLink implements AutoCloseable {
  private static final long RECONNECT_INTERVAL_MS = 500;
  static final int FAILURES_TO_OPEN = 3;
  static final long OPEN_MILLIS = 1000;
  /** Clients by settings, while at least one link uses them; guarded by itself. */
  private static final Map<RedisConfig, Client> CLIENTS = new HashMap<>();

  private final RedisConfig config;
  private final Client client;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicInteger consecutiveFailures = new AtomicInteger();
  private volatile long openUntilNanos = System.nanoTime();

  /** A reply, or why there is none: "not_connected", "timeout" or the failure's class name. */
  public sealed interface Reply {}

  public record Answered(List<Object> values) implements Reply {}

  public record Failed(String reason) implements Reply {}

  public RedisLink(RedisConfig config) {
    this.config = config;
    synchronized (CLIENTS) {
      Client shared = CLIENTS.get(config);
      if (shared == null) {
        shared = new Client(config);
        CLIENTS.put(config, shared);
      }
      shared.links++;
      this.client = shared;
    }
  }

  public RedisConfig config() {
    return config;
  }

  /** True when both links talk through one client; for tests. */
  boolean sharesClientWith(RedisLink other) {
    return client == other.client;
  }

  /** EVALSHA names a script by the SHA-1 of its text. */
  public static String sha1Hex(String text) {
    try {
      return java.util.HexFormat.of().formatHex(
          java.security.MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is part of every JRE", e);
    }
  }

  /** Runs a script in one round trip, within {@code timeout_ms}. */
  public Reply eval(String script, String sha, String[] keys, String[] args) {
    if (System.nanoTime() - openUntilNanos < 0) {
      return new Failed("circuit_open");
    }
    Reply reply = client.ask(script, sha, keys, args);
    if (reply instanceof Answered) {
      consecutiveFailures.set(0);
    } else if (consecutiveFailures.incrementAndGet() >= FAILURES_TO_OPEN) {
      consecutiveFailures.set(0);
      openUntilNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(OPEN_MILLIS);
    }
    return reply;
  }

  /**
   * ZREM without waiting for the answer: never hold up the end of a response for Redis. Does
   * nothing while disconnected; what it would remove expires on its own.
   */
  public void zremLater(String key, String member) {
    StatefulRedisConnection<String, String> conn = client.connection.get();
    if (conn != null) {
      conn.async().zrem(key, member).exceptionally(e -> 0L);
    }
  }

  /** Lets go of the shared client; the last link to do so closes it. Closing twice is harmless. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    synchronized (CLIENTS) {
      if (--client.links > 0) {
        return;
      }
      CLIENTS.remove(config, client);
    }
    client.close();
  }

  /** One Lettuce client and its connection, for every link with the same settings. */
  private static final class Client {
    private final RedisConfig config;
    private final ClientResources resources;
    private final RedisClient client;
    private final RedisURI uri;
    private final AtomicReference<StatefulRedisConnection<String, String>> connection = new AtomicReference<>();
    private final AtomicBoolean connecting = new AtomicBoolean();
    private final AtomicLong lastConnectAttempt = new AtomicLong(Long.MIN_VALUE / 2);
    private volatile boolean closed;
    /** Links using this client; guarded by {@link #CLIENTS}. */
    private int links;

    Client(RedisConfig config) {
      this.config = config;
      Duration timeout = Duration.ofMillis(config.timeoutMs());
      this.resources = DefaultClientResources.builder()
          .ioThreadPoolSize(2)
          .computationThreadPoolSize(1)
          // Lettuce's default backs off to 30 s; counting should come back soon after Redis does.
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
      connectInBackground();
    }

    Reply ask(String script, String sha, String[] keys, String[] args) {
      StatefulRedisConnection<String, String> conn = connection.get();
      if (conn == null) {
        connectInBackground();
        return new Failed("not_connected");
      }
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.timeoutMs());
      try {
        return new Answered(await(conn.async().<List<Object>>evalsha(sha, ScriptOutputType.MULTI, keys, args), deadline));
      } catch (ExecutionException e) {
        if (!isNoScript(e)) {
          return new Failed(describe(e.getCause()));
        }
        try {
          // Redis restarted (its script cache is empty): send the script itself once.
          return new Answered(await(conn.async().<List<Object>>eval(script, ScriptOutputType.MULTI, keys, args), deadline));
        } catch (ExecutionException again) {
          return new Failed(describe(again.getCause()));
        } catch (TimeoutException timeout) {
          return new Failed("timeout");
        }
      } catch (TimeoutException e) {
        return new Failed("timeout");
      }
    }

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

    void close() {
      closed = true;
      StatefulRedisConnection<String, String> conn = connection.getAndSet(null);
      if (conn != null) {
        conn.closeAsync();
      }
      CompletableFuture<Void> shutdown = client.shutdownAsync(0, 2, TimeUnit.SECONDS);
      shutdown.whenComplete((ok, error) -> resources.shutdown(0, 2, TimeUnit.SECONDS));
    }
  }
}
