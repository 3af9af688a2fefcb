package dev.tollgate.core.policy;

import dev.tollgate.core.config.PriceConfig;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;

/**
 * A price in nano-USD (1e-9 USD) per million tokens of each kind: integers, so money never goes
 * through a double. A cost is computed exactly and rounded up to a whole nano-USD once per request.
 */
public record Price(long inputNanosPerMillion, long cachedInputNanosPerMillion, long outputNanosPerMillion,
    long reasoningNanosPerMillion) {

  public static final Price FREE = new Price(0, 0, 0, 0);
  private static final BigInteger MILLION = BigInteger.valueOf(1_000_000);

  /** @throws ArithmeticException when a price has more than 9 decimals or is out of range */
  public static Price of(PriceConfig config) {
    PriceConfig full = config.withDefaults();
    return new Price(nanos(full.input()), nanos(full.cachedInput()), nanos(full.output()), nanos(full.reasoning()));
  }

  /** USD to nano-USD, exactly. */
  public static long nanos(BigDecimal usd) {
    return usd.movePointRight(9).setScale(0, RoundingMode.UNNECESSARY).longValueExact();
  }

  /**
   * What these tokens cost, in nano-USD, rounded up. Cached tokens are part of the prompt and
   * reasoning tokens part of the completion, as OpenAI reports them.
   */
  public long cost(long promptTokens, long cachedTokens, long completionTokens, long reasoningTokens) {
    long cached = Math.min(Math.max(0, cachedTokens), Math.max(0, promptTokens));
    long reasoning = Math.min(Math.max(0, reasoningTokens), Math.max(0, completionTokens));
    BigInteger total = BigInteger.valueOf(Math.max(0, promptTokens) - cached).multiply(BigInteger.valueOf(inputNanosPerMillion))
        .add(BigInteger.valueOf(cached).multiply(BigInteger.valueOf(cachedInputNanosPerMillion)))
        .add(BigInteger.valueOf(Math.max(0, completionTokens) - reasoning).multiply(BigInteger.valueOf(outputNanosPerMillion)))
        .add(BigInteger.valueOf(reasoning).multiply(BigInteger.valueOf(reasoningNanosPerMillion)));
    BigInteger[] division = total.divideAndRemainder(MILLION);
    BigInteger rounded = division[1].signum() > 0 ? division[0].add(BigInteger.ONE) : division[0];
    return rounded.min(BigInteger.valueOf(Long.MAX_VALUE)).longValue();
  }

  /** The most one completion token can cost (output or reasoning), for worst-case reservations. */
  public long maxCompletionNanosPerMillion() {
    return Math.max(outputNanosPerMillion, reasoningNanosPerMillion);
  }

  /** Worst case of a request: every prompt token uncached, every completion token at the dearer rate. */
  public long worstCase(long promptTokens, long completionTokens) {
    return new Price(inputNanosPerMillion, inputNanosPerMillion, maxCompletionNanosPerMillion(),
        maxCompletionNanosPerMillion()).cost(promptTokens, 0, completionTokens, 0);
  }
}
