package dev.tollgate.proc.budget;

import java.math.BigDecimal;

/** Nano-USD as people read it. */
final class Money {
  private Money() {}

  /** 1500000 → "0.0015"; never in scientific notation. */
  static String usd(long nanos) {
    return BigDecimal.valueOf(nanos, 9).stripTrailingZeros().toPlainString();
  }
}
