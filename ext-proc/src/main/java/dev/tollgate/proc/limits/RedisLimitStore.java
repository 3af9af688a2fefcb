package dev.tollgate.proc.limits;

import dev.tollgate.core.config.RedisConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

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
  private static final String SCRIPT_SHA = RedisLink.sha1Hex(SCRIPT);

  private final RedisConfig config;
  /** Timeouts, reconnects, EVALSHA fallback and circuit breaker; the client is shared with budgets on the same server. */
  private final RedisLink link;

  RedisLimitStore(RedisConfig config) {
    this.config = config;
    this.link = new RedisLink(config);
  }

  private static String loadScript() {
    try (InputStream in = RedisLimitStore.class.getResourceAsStream("decide.lua")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * One round trip to Redis; Unavailable when {@link RedisLink} has no answer (not connected,
   * timeout, or its circuit is open after failures in a row).
   */
  @Override
  public Decision decide(List<LimitCheck> checks, long leaseMillis) {
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
    RedisLink.Reply reply = link.eval(SCRIPT, SCRIPT_SHA, keys, args);
    if (reply instanceof RedisLink.Failed failed) {
      return new Decision.Unavailable(failed.reason());
    }
    return read(((RedisLink.Answered) reply).values(), checks, lease);
  }

  private Decision read(List<Object> reply, List<LimitCheck> checks, String lease) {
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
    return new Decision.Allowed(rates, slotKeys.isEmpty() ? Lease.NONE : new RedisLease(link, slotKeys, lease));
  }

  /** Removes the lease from each slot set; if Redis is away then, the lease expires on its own. */
  private static final class RedisLease implements Lease {
    private final RedisLink link;
    private final List<String> slotKeys;
    private final String lease;
    private final AtomicBoolean released = new AtomicBoolean();

    RedisLease(RedisLink link, List<String> slotKeys, String lease) {
      this.link = link;
      this.slotKeys = slotKeys;
      this.lease = lease;
    }

    @Override
    public void release() {
      if (!released.compareAndSet(false, true)) {
        return;
      }
      for (String key : slotKeys) {
        link.zremLater(key, lease);
      }
    }
  }

  @Override
  public String kind() {
    return "redis";
  }

  @Override
  public void close() {
    link.close();
  }
}
