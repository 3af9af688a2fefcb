package dev.tollgate.proc.budget;

import dev.tollgate.core.policy.Price;
import dev.tollgate.inspect.tokens.TokenCounter;
import dev.tollgate.proc.response.CompletionCap;
import dev.tollgate.proc.response.ResponseRecorder;
import dev.tollgate.proc.response.ResponseSummary;
import dev.tollgate.proc.response.TokenUsage;
import java.time.LocalDate;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One request's reservation, from the moment it fits until it is settled. The response side hands
 * it the response's summary ({@link ResponseRecorder}) and offers it each piece of streamed text
 * ({@link CompletionCap}); the router stage calls {@link #end()} when the exchange is over, which
 * settles with what is known if no summary came. Settles exactly once.
 */
public final class BudgetReservation implements ResponseRecorder, CompletionCap {
  /**
   * The stream is cut only this far past the reservation: a provider that honours max_tokens may
   * still count a little differently than the gateway's tokenizer summed over chunks.
   */
  static final int CUT_SLACK_TOKENS = 8;

  private final BudgetEnforcer enforcer;
  private final BudgetPlan plan;
  private final List<BudgetCheck> checks;
  private final String leaseId;
  /** A reservation was made: the stream is bound to it. */
  private final boolean capped;
  private final String model;
  private final String tokenizerModel;
  private final long promptTokens;
  private final long completionAllowance;
  private final LocalDate day;
  private final AtomicBoolean settled = new AtomicBoolean();
  private long deliveredTokens;
  /** The backend that answered, once the response headers name it; prices may differ per backend. */
  private volatile String backend;
  private volatile boolean cut;
  private volatile Settlement settlement;

  /**
   * @param leaseId the reservation's name in the store
   * @param capped a reservation was made, so {@code completionAllowance} binds the stream
   * @param completionAllowance completion tokens reserved, over all choices
   */
  BudgetReservation(BudgetEnforcer enforcer, BudgetPlan plan, List<BudgetCheck> checks, String leaseId,
      boolean capped, String model, String tokenizerModel, long promptTokens, long completionAllowance,
      LocalDate day) {
    this.enforcer = enforcer;
    this.plan = plan;
    this.checks = List.copyOf(checks);
    this.leaseId = leaseId;
    this.capped = capped;
    this.model = model;
    this.tokenizerModel = tokenizerModel;
    this.promptTokens = promptTokens;
    this.completionAllowance = completionAllowance;
    this.day = day;
  }

  /**
   * A request that goes without a reservation (no budget counts it, or the store failed open):
   * nothing binds its stream, but what it spends is still charged to {@code checks} at the end.
   */
  static BudgetReservation uncapped(BudgetEnforcer enforcer, BudgetPlan plan, List<BudgetCheck> checks, String model,
      String tokenizerModel, long promptTokens, LocalDate day) {
    return new BudgetReservation(enforcer, plan, checks, "unreserved-" + Long.toHexString(System.nanoTime())
        + Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong()), false, model, tokenizerModel,
        promptTokens, 0, day);
  }

  /** True when a reservation binds this request (and so its stream is cut at the reservation). */
  public boolean limited() {
    return capped;
  }

  @Override
  public synchronized boolean admit(String text) {
    if (cut) {
      return false;
    }
    deliveredTokens += TokenCounter.shared().count(tokenizerModel, text);
    if (limited() && deliveredTokens > completionAllowance + Math.max(CUT_SLACK_TOKENS, completionAllowance / 10)) {
      deliveredTokens -= TokenCounter.shared().count(tokenizerModel, text); // not sent
      cut = true;
      return false;
    }
    return true;
  }

  /**
   * A plain answer's text when the provider reported no usage: it went out whole, so there is
   * nothing to cut, but it is counted (gateway tokenizer) so the answer is charged an estimate of
   * its completion rather than none.
   */
  @Override
  public synchronized void answered(String text) {
    deliveredTokens += TokenCounter.shared().count(tokenizerModel, text);
  }

  /**
   * What the response side offers its text to when a budget counts the request: this reservation,
   * whose cap binds only when {@link #limited()} (else it just counts, so an aborted stream or a
   * plain answer without usage can still be charged what it delivered).
   */
  public CompletionCap meter() {
    return checks.isEmpty() ? CompletionCap.NONE : this; // none: nothing to charge it to
  }

  /**
   * The backend that answered (the router stage reads it from the response headers); the charge
   * is priced for it. Null when not known: then the model's backend-independent price applies.
   */
  public void answeredBy(String backend) {
    this.backend = backend;
  }

  @Override
  public void record(ResponseSummary summary) {
    settle(summary);
  }

  /** The exchange is over; settles with what is known if the response side did not. */
  public void end() {
    settle(null);
  }

  /** What the request was charged; null until it is settled. */
  public Settlement settlement() {
    return settlement;
  }

  private void settle(ResponseSummary summary) {
    if (!settled.compareAndSet(false, true)) {
      return;
    }
    Settlement charged = charge(summary);
    settlement = charged;
    if (checks.isEmpty()) {
      return;
    }
    long[] actual = new long[checks.size()];
    for (int i = 0; i < checks.size(); i++) {
      actual[i] = checks.get(i).unit() == BudgetCheck.Unit.TOKENS ? charged.totalTokens() : charged.costNanos();
    }
    enforcer.settle(plan, checks, leaseId, actual);
  }

  private Settlement charge(ResponseSummary summary) {
    long delivered;
    synchronized (this) {
      delivered = deliveredTokens;
    }
    TokenUsage usage = summary == null ? null : summary.usage().orElse(null);
    String providerModel = summary == null ? null : summary.providerModel();
    if (cut) {
      // The client got only what came before the cut: that is what it is charged.
      long prompt = usage != null ? usage.promptTokens() : promptTokens;
      long cached = usage != null ? usage.cachedTokens() : 0;
      return settlement(prompt, delivered, cached, 0, providerModel, true, true);
    }
    if (usage != null) {
      return settlement(usage.promptTokens(), usage.completionTokens(), usage.cachedTokens(),
          usage.reasoningTokens(), providerModel, false, false);
    }
    if (summary != null && summary.status() >= 400) {
      return Settlement.NOTHING; // the provider refused it: nothing was produced
    }
    // No usage: an aborted exchange. The prompt as counted, and the text that was streamed.
    return settlement(promptTokens, delivered, 0, 0, providerModel, true, false);
  }

  private Settlement settlement(long prompt, long completion, long cached, long reasoning, String providerModel,
      boolean estimated, boolean wasCut) {
    Price price = plan.prices().lookup(model, backend, providerModel, day)
        .or(() -> plan.prices().worstCase(model, providerModel == null ? List.of() : List.of(providerModel), day))
        .orElse(Price.FREE);
    return new Settlement(prompt, completion, cached, reasoning, price.cost(prompt, cached, completion, reasoning),
        estimated, wasCut);
  }
}
