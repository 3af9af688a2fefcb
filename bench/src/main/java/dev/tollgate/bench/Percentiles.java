package dev.tollgate.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;

/** Exact percentiles (nearest rank) over every sample, no histogram or digest approximation. */
final class Percentiles {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Percentiles() {
  }

  /** The nearest-rank p-th percentile of sorted values: the smallest value with at least p% at or below it. */
  static long of(long[] sorted, double p) {
    if (sorted.length == 0) {
      return 0;
    }
    int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }

  /** count, mean, p50, p90, p99, p99.9 and max of nanosecond samples, in milliseconds. */
  static ObjectNode summaryMillis(long[] nanos) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    ObjectNode out = JSON.createObjectNode();
    out.put("count", sorted.length);
    out.put("mean", sorted.length == 0 ? 0 : round(Arrays.stream(sorted).average().orElse(0) / 1e6));
    out.put("p50", round(of(sorted, 50) / 1e6));
    out.put("p90", round(of(sorted, 90) / 1e6));
    out.put("p99", round(of(sorted, 99) / 1e6));
    out.put("p99_9", round(of(sorted, 99.9) / 1e6));
    out.put("max", round(of(sorted, 100) / 1e6));
    return out;
  }

  private static double round(double millis) {
    return Math.round(millis * 1000) / 1000.0;
  }
}
