package dev.tollgate.proc.budget;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.core.config.RedisConfig;
import dev.tollgate.core.identity.CallerIdentity;
import dev.tollgate.core.openai.OpenAiError;
import dev.tollgate.core.policy.BudgetPolicy;
import dev.tollgate.core.policy.Price;
import dev.tollgate.core.policy.PolicySnapshot;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Token and money budgets for the router stage: before a request goes upstream it reserves the
 * worst case the request can cost in every budget that counts it (and writes a completion cap into
 * requests that give none); when the response ends, {@link BudgetReservation} charges what it
 * actually cost and releases the rest. Thread-safe; one per ext_proc service.
 */
public final class BudgetEnforcer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(BudgetEnforcer.class);
  static final String RETRY_AFTER = "retry-after";

  private static final Executor STARTER = task -> {
    Thread thread = new Thread(task, "tollgate-budget-start");
    thread.setDaemon(true);
    thread.start();
  };

  private final BudgetMetrics metrics;
  private final Clock clock;
  private final BudgetStore memory;
  private final Function<RedisConfig, BudgetStore> redisStores;
  private volatile Current current = new Current(new BudgetPlan(BudgetPolicy.NONE), null);
  private volatile boolean closed;
  private boolean tokenizerWarm;
  private final java.util.concurrent.atomic.AtomicLong lastStoreWarning = new java.util.concurrent.atomic.AtomicLong(
      System.nanoTime() - 20_000_000_000L);

  private record Current(BudgetPlan plan, CompletableFuture<BudgetStore> redis) {}

  public BudgetEnforcer(MeterRegistry meters) {
    this(meters, Clock.systemUTC(), new InMemoryBudgetStore(), RedisBudgetStore::new);
  }

  BudgetEnforcer(MeterRegistry meters, Clock clock, BudgetStore memory, Function<RedisConfig, BudgetStore> redisStores) {
    this.metrics = new BudgetMetrics(meters);
    this.clock = clock;
    this.memory = memory;
    this.redisStores = redisStores;
  }

  /**
   * One request as the router stage knows it once the body is read and inspected.
   *
   * @param promptTokens the inspector's count, or null when no inspection policy counted it
   */
  public record Request(PolicySnapshot snapshot, CallerIdentity caller, String endpoint, String model,
      ObjectNode body, Integer promptTokens) {}

  public sealed interface Decision {}

  /**
   * Send it upstream; hand the reservation the response's summary and end it when the exchange ends.
   *
   * @param bodyChanged a completion cap was written into the body, which must be re-serialised
   */
  public record Proceed(BudgetReservation reservation, boolean bodyChanged) implements Decision {}

  public record Refuse(OpenAiError error, Map<String, String> headers) implements Decision {}

  /** Readies the store a policy needs (connects to Redis) before requests arrive. */
  public void prepare(BudgetPolicy policy) {
    currentFor(policy);
  }

  public Decision reserve(Request request) {
    Current now = currentFor(request.snapshot().budgets());
    BudgetPlan plan = now.plan();
    List<String> upstream = request.snapshot().upstreamModels().getOrDefault(request.model(), List.of());
    LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
    List<BudgetCheck> checks = plan.checks(request.caller(), request.model());
    String tokenizer = upstream.isEmpty() ? request.model() : upstream.get(0);
    if (checks.isEmpty()) {
      // No budget counts it: only its cost is worked out at the end, from the provider's usage.
      // The tokenizer stays unused, so a gateway without budgets never loads its tables.
      long counted = request.promptTokens() == null ? 0 : request.promptTokens();
      return new Proceed(BudgetReservation.uncapped(this, plan, List.of(), request.model(), tokenizer, counted, today),
          false);
    }
    Price price = plan.prices().worstCase(request.model(), upstream, today).orElse(Price.FREE);
    long prompt = request.promptTokens() != null ? request.promptTokens()
        : dev.tollgate.proc.inspect.PromptTokenCount.of(request.snapshot(), request.endpoint(), request.model(),
            request.body()).orElse(0);
    CompletionAsk ask;
    try {
      ask = CompletionAsk.of(request.endpoint(), request.body(), plan.policy().defaultMaxTokens());
    } catch (CompletionAsk.Invalid e) {
      return new Refuse(OpenAiError.invalidRequest(e.getMessage(), e.param), Map.of());
    }
    Demand demand = new Demand(prompt, price.worstCase(prompt, 0), ask.perChoice(), ask.choices(),
        price.maxCompletionNanosPerMillion(), ask.clampable());
    BudgetStore store = now.redis() == null ? memory : built(now.redis());
    String leaseId = Long.toHexString(ThreadLocalRandom.current().nextLong()) + Long.toHexString(System.nanoTime());
    long nowMillis = clock.millis();
    BudgetStore.Result result = store == null ? new BudgetStore.Unavailable("not_connected")
        : store.reserve(checks, demand, leaseId, plan.policy().leaseSeconds() * 1000L, nowMillis);
    if (result instanceof BudgetStore.Unavailable unavailable) {
      return storeFailed(plan, checks, request, tokenizer, prompt, today, unavailable);
    }
    if (result instanceof BudgetStore.Exceeded exceeded) {
      metrics.decision(store.kind(), "exceeded");
      metrics.update(checks.get(exceeded.index()), exceeded.standing());
      return refuse(checks.get(exceeded.index()), exceeded, demand, ask, nowMillis);
    }
    BudgetStore.Reserved reserved = (BudgetStore.Reserved) result;
    metrics.decision(store.kind(), "reserved");
    metrics.update(checks, reserved.standings());
    boolean changed = false;
    if (ask.clampable() && ask.field() != null) {
      // The cap the reservation was made for must bind the provider too.
      request.body().put(ask.field(), reserved.perChoice());
      changed = true;
    }
    return new Proceed(new BudgetReservation(this, plan, checks, leaseId, true, request.model(), tokenizer, prompt,
        reserved.perChoice() * ask.choices(), today), changed);
  }

  private Decision storeFailed(BudgetPlan plan, List<BudgetCheck> checks, Request request, String tokenizer,
      long prompt, LocalDate today, BudgetStore.Unavailable unavailable) {
    RedisConfig redis = plan.policy().redis();
    boolean failClosed = redis != null && redis.failClosed();
    metrics.decision("redis", failClosed ? "refused_store_error" : "allowed_store_error");
    long now = System.nanoTime();
    long last = lastStoreWarning.get();
    if (now - last > 10_000_000_000L && lastStoreWarning.compareAndSet(last, now)) {
      // At most one line per 10 s: an outage must not flood the log at request rate.
      LOG.warn("budgets: Redis did not answer ({}); {} until it does", unavailable.reason(),
          failClosed ? "refusing requests" : "allowing requests without a reservation");
    }
    if (failClosed) {
      return new Refuse(new OpenAiError(503, "Budgets cannot be checked right now. Please try again shortly.",
          "api_error", null, "gateway_unavailable"), Map.of(RETRY_AFTER, "1"));
    }
    // Fail open: no reservation and no cap, but the actual spend is still charged when the
    // request ends, if the store is back by then.
    return new Proceed(BudgetReservation.uncapped(this, plan, checks, request.model(), tokenizer, prompt, today),
        false);
  }

  private Refuse refuse(BudgetCheck check, BudgetStore.Exceeded exceeded, Demand demand, CompletionAsk ask,
      long nowMillis) {
    long left = Math.max(0, check.limit() - exceeded.standing().spent() - exceeded.standing().held());
    long waitMillis = Math.max(1000, exceeded.resetAt() - nowMillis);
    String need = ask.clampable()
        ? "at least " + check.amount(demand.amount(check.unit(), demand.minPerChoice())) + " (its prompt and one token)"
        : "up to " + check.amount(demand.amount(check.unit(), demand.perChoice())) + " (its prompt and "
            + (ask.field() == null ? "no completion" : ask.field() + " " + demand.perChoice()
                + (demand.choices() > 1 ? " for each of " + demand.choices() + " choices" : "")) + ")";
    String held = exceeded.standing().held() > 0
        ? " (" + check.amount(exceeded.standing().held()) + " of it reserved by requests in flight)" : "";
    String message = "Budget exceeded: " + check.description() + " has " + check.amount(left) + " left" + held
        + ", and this request needs " + need + ". The " + (check.rolling() ? "oldest part of the window ages out"
            : "window resets") + " at " + Instant.ofEpochMilli(exceeded.resetAt()) + " (in "
        + waitText(waitMillis) + ").";
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put(RETRY_AFTER, Long.toString((waitMillis + 999) / 1000));
    return new Refuse(new OpenAiError(429, message, "budget_exceeded", null, "budget_exceeded"), headers);
  }

  private static String waitText(long millis) {
    long seconds = (millis + 999) / 1000;
    if (seconds < 120) {
      return seconds + "s";
    }
    if (seconds < 7200) {
      return seconds / 60 + "m" + seconds % 60 + "s";
    }
    return seconds / 3600 + "h" + seconds / 60 % 60 + "m";
  }

  /** Called by a reservation when its request ends. */
  void settle(BudgetPlan plan, List<BudgetCheck> checks, String leaseId, long[] actual) {
    BudgetStore store = storeFor(plan);
    if (store == null) {
      return; // Redis gone since the reservation: the lease expires there on its own
    }
    metrics.update(checks, store.settle(checks, leaseId, actual, clock.millis()));
  }

  private BudgetStore storeFor(BudgetPlan plan) {
    Current now = current;
    if (now.plan() == plan || Objects.equals(now.plan().policy().redis(), plan.policy().redis())) {
      return now.redis() == null ? memory : built(now.redis());
    }
    return plan.policy().redis() == null ? memory : null;
  }

  /**
   * The Redis store once it is built, else null (still starting, or its client failed to start:
   * then decisions follow {@code on_error} instead of failing the stream).
   */
  private static BudgetStore built(CompletableFuture<BudgetStore> redis) {
    try {
      return redis.getNow(null);
    } catch (java.util.concurrent.CompletionException | java.util.concurrent.CancellationException e) {
      return null;
    }
  }

  private Current currentFor(BudgetPolicy policy) {
    Current seen = current;
    if (seen.plan().policy() == policy) {
      return seen;
    }
    synchronized (this) {
      seen = current;
      if (seen.plan().policy() == policy) {
        return seen;
      }
      CompletableFuture<BudgetStore> redis = seen.redis();
      if (!Objects.equals(seen.plan().policy().redis(), policy.redis()) || (redis == null && policy.redis() != null
          && !policy.budgets().isEmpty())) {
        if (redis != null) {
          redis.thenAccept(BudgetStore::close); // a store that failed to start has nothing to close
        }
        RedisConfig settings = policy.redis();
        // Only a policy with budgets needs the connection.
        redis = settings == null || closed || policy.budgets().isEmpty() ? null
            : CompletableFuture.supplyAsync(() -> redisStores.apply(settings), STARTER);
      }
      current = new Current(new BudgetPlan(policy), redis);
      if (!policy.budgets().isEmpty() && !tokenizerWarm) {
        // Budgets count prompts and streamed text: load the tables now, not on a request.
        tokenizerWarm = true;
        STARTER.execute(() -> dev.tollgate.inspect.tokens.TokenCounter.shared().warmUp());
      }
      return current;
    }
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (current.redis() != null) {
      current.redis().thenAccept(BudgetStore::close);
    }
    memory.close();
  }
}
