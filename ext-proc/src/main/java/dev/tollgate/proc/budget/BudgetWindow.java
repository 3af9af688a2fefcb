package dev.tollgate.proc.budget;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Locale;

/**
 * A budget's window. Calendar windows start on the UTC minute, hour, day or month. Rolling windows
 * use two fixed buckets of the window's length (a rolling month: 30 days) and count the previous
 * bucket in proportion to how much of it still lies inside the window, the usual two-bucket
 * approximation of a sliding window: exact when spend is spread evenly over the previous bucket,
 * and never undercounting spend of the current bucket.
 */
enum BudgetWindow {
  MINUTE(60_000L), HOUR(3_600_000L), DAY(86_400_000L), MONTH(30L * 86_400_000L);

  /** A rolling bucket's length (for calendar months only an upper bound). */
  private final long lengthMillis;

  BudgetWindow(long lengthMillis) {
    this.lengthMillis = lengthMillis;
  }

  static BudgetWindow of(String name) {
    return valueOf(name.toUpperCase(Locale.ROOT));
  }

  String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Where a moment falls.
   *
   * @param current the bucket spend is charged to now
   * @param previous the bucket before it (rolling only; the same as current for calendar windows)
   * @param previousWeightPpm the share of the previous bucket still inside the window, in millionths
   * @param resetAt when the current bucket ends
   * @param ttlMillis how long a bucket's counter must live in a store
   */
  record Position(long current, long previous, long previousWeightPpm, long resetAt, long ttlMillis) {}

  Position position(long nowMillis, boolean rolling) {
    if (rolling) {
      long current = Math.floorDiv(nowMillis, lengthMillis) * lengthMillis;
      long end = current + lengthMillis;
      long weight = (end - nowMillis) * 1_000_000L / lengthMillis;
      return new Position(current, current - lengthMillis, weight, end, 2 * lengthMillis + 60_000);
    }
    LocalDateTime now = LocalDateTime.ofInstant(Instant.ofEpochMilli(nowMillis), ZoneOffset.UTC);
    LocalDateTime start = switch (this) {
      case MINUTE -> now.truncatedTo(ChronoUnit.MINUTES);
      case HOUR -> now.truncatedTo(ChronoUnit.HOURS);
      case DAY -> now.truncatedTo(ChronoUnit.DAYS);
      case MONTH -> now.truncatedTo(ChronoUnit.DAYS).withDayOfMonth(1);
    };
    LocalDateTime next = switch (this) {
      case MINUTE -> start.plusMinutes(1);
      case HOUR -> start.plusHours(1);
      case DAY -> start.plusDays(1);
      case MONTH -> start.plusMonths(1);
    };
    long startMillis = start.toInstant(ZoneOffset.UTC).toEpochMilli();
    long nextMillis = next.toInstant(ZoneOffset.UTC).toEpochMilli();
    return new Position(startMillis, startMillis, 0, nextMillis, nextMillis - startMillis + 60_000);
  }

  /** Spend that counts against the window now: the current bucket plus the previous one's share, rounded up. */
  static long used(long current, long previous, Position position) {
    if (position.previous() == position.current() || previous == 0) {
      return current;
    }
    long share = java.math.BigInteger.valueOf(previous).multiply(java.math.BigInteger.valueOf(position.previousWeightPpm()))
        .add(java.math.BigInteger.valueOf(999_999)).divide(java.math.BigInteger.valueOf(1_000_000)).longValue();
    return current + share;
  }
}
