package dev.tollgate.proc.limits;

import java.util.List;

/** Where limits are counted: this process's memory, or Redis shared by every replica. */
interface LimitStore extends AutoCloseable {
  /**
   * Checks every limit and, only if all pass, takes a token from each bucket and a slot from each
   * cap, atomically with respect to other decisions on the same keys.
   *
   * @param leaseMillis how long slots may be held before they expire on their own (Redis only;
   *     a backstop for a gateway that dies without releasing them)
   */
  Decision decide(List<LimitCheck> checks, long leaseMillis);

  /** "memory" or "redis", for metrics. */
  String kind();

  @Override
  void close();
}
