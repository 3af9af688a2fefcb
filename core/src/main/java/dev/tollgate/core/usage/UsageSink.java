package dev.tollgate.core.usage;

/**
 * Where the request path hands each finished request's usage record. Implementations must return
 * at once (the request path never waits for the ledger): queue it, or drop and count it.
 */
@FunctionalInterface
public interface UsageSink {
  /** Records go nowhere (benchmarks, tests that do not look at the ledger). */
  UsageSink NONE = record -> {};

  void accept(UsageRecord record);
}
