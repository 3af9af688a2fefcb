package dev.tollgate.inspect.pii;

/**
 * Rewrites one streamed choice's text as it arrives. Not thread-safe: one per choice, fed in order.
 * The concatenation of everything {@link #accept} and {@link #finish} return is exactly what
 * {@link PiiEngine#transformResponse} returns for the concatenated deltas.
 */
public interface StreamTransformer {
  /** Feeds the next delta; returns the text that can be sent now (possibly empty, never null). */
  String accept(String delta);

  /** The stream ended: returns whatever was still held back. Call once, after the last delta. */
  String finish();

  /**
   * Values masked so far in this stream, by entity type (restored placeholders are not counted):
   * for metrics and the audit record. Never the values.
   */
  default java.util.Map<String, Integer> countsByEntityType() {
    return java.util.Map.of();
  }
}
