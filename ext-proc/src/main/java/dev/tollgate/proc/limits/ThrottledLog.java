package dev.tollgate.proc.limits;

import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/** At most one warning per interval, with how many were left out: an outage must not flood the log. */
final class ThrottledLog {
  private final Logger log;
  private final long intervalNanos;
  private final AtomicLong nextAllowed = new AtomicLong(Long.MIN_VALUE);
  private final AtomicLong suppressed = new AtomicLong();

  ThrottledLog(Logger log, long intervalMillis) {
    this.log = log;
    this.intervalNanos = intervalMillis * 1_000_000;
  }

  void warn(String message, Object... args) {
    long now = System.nanoTime();
    long next = nextAllowed.get();
    if ((next != Long.MIN_VALUE && now - next < 0) || !nextAllowed.compareAndSet(next, now + intervalNanos)) {
      suppressed.incrementAndGet();
      return;
    }
    long skipped = suppressed.getAndSet(0);
    log.warn(message + (skipped > 0 ? " (" + skipped + " similar messages suppressed)" : ""), args);
  }
}
