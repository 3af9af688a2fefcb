package dev.tollgate.proc.limits;

import java.util.List;

/** What a limit store decided for one request; every check is taken together or none is. */
sealed interface Decision {
  /**
   * Every check passed: a token was taken from each bucket and a slot in each cap.
   *
   * @param rates the state of each rate-limited bucket after taking, in check order
   * @param lease the slots to give back when the response ends
   */
  record Allowed(List<RateState> rates, Lease lease) implements Decision {}

  /**
   * Over a limit; nothing was taken.
   *
   * @param refusedBy the first check that did not pass
   * @param concurrency true when it was a concurrency cap, false for a rate limit
   * @param retryAfterMillis when the refused rate limit has room again; 0 for concurrency
   * @param rates every rate-limited bucket as it stands, in check order
   */
  record Limited(LimitCheck refusedBy, boolean concurrency, long retryAfterMillis, List<RateState> rates)
      implements Decision {}

  /** The store could not answer in time (Redis down or slow). */
  record Unavailable(String reason) implements Decision {}
}
