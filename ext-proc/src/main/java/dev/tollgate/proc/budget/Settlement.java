package dev.tollgate.proc.budget;

/**
 * What one request was charged when it ended: the tokens counted against token budgets and the
 * cost against money budgets (and for the usage ledger).
 *
 * @param costNanos cost in nano-USD (1e-9 USD) at the price table's price for the day
 * @param estimated true when the counts are the gateway's own (no provider usage: an aborted or
 *     cut stream), false when they are the provider's
 * @param cut the stream ran past its reservation and the gateway ended it
 */
public record Settlement(long promptTokens, long completionTokens, long cachedTokens, long reasoningTokens,
    long costNanos, boolean estimated, boolean cut) {

  public static final Settlement NOTHING = new Settlement(0, 0, 0, 0, 0, false, false);

  public long totalTokens() {
    return promptTokens + completionTokens;
  }
}
