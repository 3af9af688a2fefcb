package dev.tollgate.proc.budget;

import dev.tollgate.core.config.RedisConfig;
import dev.tollgate.proc.limits.RedisLink;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Budgets counted in Redis, shared by every replica pointing at it: one Lua script per decision
 * ({@code reserve.lua}) and one per settlement ({@code settle.lua}), each one round trip and atomic.
 * Reservations are leases in a sorted set by expiry, purged by the next decision on the budget, so
 * a gateway that dies holding one frees it after {@code budgets.lease_seconds}.
 */
final class RedisBudgetStore implements BudgetStore {
  static final String RESERVE = script("reserve.lua");
  static final String SETTLE = script("settle.lua");
  private static final String RESERVE_SHA = RedisLink.sha1Hex(RESERVE);
  private static final String SETTLE_SHA = RedisLink.sha1Hex(SETTLE);

  private final RedisLink link;
  private final String prefix;

  RedisBudgetStore(RedisConfig config) {
    this.link = new RedisLink(config);
    this.prefix = config.keyPrefix() + "budget:";
  }

  private static String script(String name) {
    try (InputStream in = RedisBudgetStore.class.getResourceAsStream(name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private String[] keys(List<BudgetCheck> checks) {
    String[] keys = new String[checks.size() * 3];
    for (int i = 0; i < checks.size(); i++) {
      String base = prefix + checks.get(i).key();
      keys[3 * i] = base;
      keys[3 * i + 1] = base + ":leases";
      keys[3 * i + 2] = base + ":held";
    }
    return keys;
  }

  @Override
  public Result reserve(List<BudgetCheck> checks, Demand demand, String leaseId, long leaseMillis, long nowMillis) {
    List<String> args = new ArrayList<>(List.of(leaseId, Long.toString(nowMillis + leaseMillis),
        Long.toString(nowMillis), Long.toString(leaseMillis), Integer.toString(checks.size()),
        Long.toString(demand.promptTokens()), Long.toString(demand.promptNanos()), Long.toString(demand.perChoice()),
        Integer.toString(demand.choices()), Long.toString(demand.completionNanosPerMillion()),
        Long.toString(demand.minPerChoice()),
        // The whole request's worst case, exact: the script compares it with the room as integers.
        Long.toString(demand.amount(BudgetCheck.Unit.TOKENS, demand.perChoice())),
        Long.toString(demand.amount(BudgetCheck.Unit.NANO_USD, demand.perChoice()))));
    List<BudgetWindow.Position> positions = new ArrayList<>();
    for (BudgetCheck check : checks) {
      BudgetWindow.Position position = check.window().position(nowMillis, check.rolling());
      positions.add(position);
      args.add(check.unit() == BudgetCheck.Unit.TOKENS ? "t" : "n");
      args.add(Long.toString(check.limit()));
      position(args, position);
    }
    RedisLink.Reply reply = link.eval(RESERVE, RESERVE_SHA, keys(checks), args.toArray(String[]::new));
    if (reply instanceof RedisLink.Failed failed) {
      return new Unavailable(failed.reason());
    }
    List<Object> values = ((RedisLink.Answered) reply).values();
    if ((Long) values.get(0) == 0L) {
      int index = ((Long) values.get(1)).intValue() - 1;
      return new Exceeded(index, new Standing((Long) values.get(2), (Long) values.get(3)),
          positions.get(index).resetAt());
    }
    List<Standing> standings = new ArrayList<>();
    for (int i = 0; i < checks.size(); i++) {
      standings.add(new Standing((Long) values.get(2 + 2 * i), (Long) values.get(3 + 2 * i)));
    }
    return new Reserved((Long) values.get(1), standings);
  }

  private static void position(List<String> args, BudgetWindow.Position position) {
    args.add(Long.toString(position.current()));
    args.add(Long.toString(position.previous()));
    args.add(Long.toString(position.previousWeightPpm()));
    args.add(Long.toString(position.ttlMillis()));
  }

  @Override
  public List<Standing> settle(List<BudgetCheck> checks, String leaseId, long[] actual, long nowMillis) {
    List<String> args = new ArrayList<>(List.of(leaseId, Integer.toString(checks.size())));
    for (int i = 0; i < checks.size(); i++) {
      args.add(Long.toString(actual[i]));
      position(args, checks.get(i).window().position(nowMillis, checks.get(i).rolling()));
    }
    RedisLink.Reply reply = link.eval(SETTLE, SETTLE_SHA, keys(checks), args.toArray(String[]::new));
    if (reply instanceof RedisLink.Failed) {
      return null; // the charge is lost; the reservation's lease expires on its own
    }
    List<Object> values = ((RedisLink.Answered) reply).values();
    List<Standing> standings = new ArrayList<>();
    for (int i = 0; i < checks.size(); i++) {
      standings.add(new Standing((Long) values.get(2 * i), (Long) values.get(2 * i + 1)));
    }
    return standings;
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
