package dev.tollgate.proc.budget;

import java.math.BigInteger;

/**
 * The worst case one request may cost, before it is sent: its counted prompt and up to
 * {@code perChoice} completion tokens for each of its {@code choices}.
 *
 * @param promptNanos the prompt at the input price (every token uncached)
 * @param perChoice completion tokens asked for (max_tokens) or the default cap
 * @param completionNanosPerMillion the dearer of the output and reasoning prices
 * @param clampable no max_tokens was given: the store may lower perChoice to what fits (down to 1)
 */
record Demand(long promptTokens, long promptNanos, long perChoice, int choices, long completionNanosPerMillion,
    boolean clampable) {

  private static final BigInteger MILLION = BigInteger.valueOf(1_000_000);

  /** The fewest completion tokens per choice the request can go with. */
  long minPerChoice() {
    return clampable ? Math.min(1, perChoice) : perChoice;
  }

  /** What the request reserves in a unit when it may use {@code perChoice} tokens per choice. */
  long amount(BudgetCheck.Unit unit, long perChoice) {
    long completion = perChoice * choices;
    if (unit == BudgetCheck.Unit.TOKENS) {
      return promptTokens + completion;
    }
    BigInteger[] division = BigInteger.valueOf(completion).multiply(BigInteger.valueOf(completionNanosPerMillion))
        .divideAndRemainder(MILLION);
    return promptNanos + division[0].longValue() + (division[1].signum() > 0 ? 1 : 0);
  }

  /** The most completion tokens per choice that fit in {@code room}; -1 when not even the prompt does. */
  long perChoiceFitting(BudgetCheck.Unit unit, long room) {
    long fixed = unit == BudgetCheck.Unit.TOKENS ? promptTokens : promptNanos;
    if (room < fixed) {
      return -1;
    }
    long left = room - fixed;
    if (unit == BudgetCheck.Unit.TOKENS) {
      return left / choices;
    }
    if (completionNanosPerMillion == 0) {
      return Long.MAX_VALUE;
    }
    return BigInteger.valueOf(left).multiply(MILLION).divide(BigInteger.valueOf(completionNanosPerMillion))
        .divide(BigInteger.valueOf(choices)).min(BigInteger.valueOf(Long.MAX_VALUE)).longValue();
  }
}
