package dev.tollgate.proc.budget;

import java.util.List;

/** Where spend and reservations are counted: this process's memory, or Redis shared by every replica. */
interface BudgetStore extends AutoCloseable {

  /**
   * Checks every budget and, only if the request fits in all of them, reserves its worst case in
   * each, atomically with respect to other decisions on the same budgets.
   *
   * @param leaseId names the reservation for {@link #settle}
   * @param leaseMillis after this long the reservation is released on its own (a dead gateway)
   */
  Result reserve(List<BudgetCheck> checks, Demand demand, String leaseId, long leaseMillis, long nowMillis);

  /**
   * Releases the reservation and charges the actual spend to the window of {@code nowMillis}.
   * Never blocks the caller for long; a settlement Redis misses is lost (the lease still expires).
   *
   * @param actual spend per check, in the check's unit
   * @return the state after it, or null when not known (Redis away)
   */
  List<Standing> settle(List<BudgetCheck> checks, String leaseId, long[] actual, long nowMillis);

  /** "memory" or "redis", for metrics. */
  String kind();

  @Override
  void close();

  /** A budget's state: settled spend in the window now and what live reservations hold. */
  record Standing(long spent, long held) {}

  sealed interface Result {}

  /**
   * @param perChoice the completion tokens per choice reserved (the demand's, or fewer when clamped)
   * @param standings each budget after the reservation
   */
  record Reserved(long perChoice, List<Standing> standings) implements Result {}

  /**
   * @param index the first check that had no room
   * @param standing its state
   * @param resetAt when its current window (or bucket) ends
   */
  record Exceeded(int index, Standing standing, long resetAt) implements Result {}

  record Unavailable(String reason) implements Result {}
}
