package dev.tollgate.inspect.pii;

import java.util.HashMap;
import java.util.Map;

/**
 * The placeholders of one request: value to placeholder and back. Created per request and never
 * shared between requests, so a placeholder can only ever restore a value the same client sent.
 * Synchronized because the request and response sides may run on different threads (one after the
 * other, so the lock is never contended).
 */
public final class Pseudonyms {
  private final Map<String, String> placeholderByKey = new HashMap<>();
  private final Map<String, String> originalByPlaceholder = new HashMap<>();
  private final Map<String, Integer> countByType = new HashMap<>();
  private final Map<String, Boolean> originals = new HashMap<>();

  public Pseudonyms() {}

  /** The placeholder for this value: {@code <EMAIL_1>} the first time, the same one again after. */
  public synchronized String placeholderFor(String entityType, String value) {
    String key = entityType + '\u0000' + value;
    String existing = placeholderByKey.get(key);
    if (existing != null) {
      return existing;
    }
    int n = countByType.merge(entityType, 1, Integer::sum);
    String placeholder = "<" + entityType + "_" + n + ">";
    placeholderByKey.put(key, placeholder);
    originalByPlaceholder.put(placeholder, value);
    originals.put(value, Boolean.TRUE);
    return placeholder;
  }

  /** The value behind a placeholder of this request, or null if this request never issued it. */
  public synchronized String originalOf(String placeholder) {
    return originalByPlaceholder.get(placeholder);
  }

  /** Whether the client sent this value in the request (so the response may show it back). */
  public synchronized boolean isOriginal(String value) {
    return originals.containsKey(value);
  }

  public synchronized int size() {
    return originalByPlaceholder.size();
  }

  public synchronized boolean isEmpty() {
    return originalByPlaceholder.isEmpty();
  }

  /** Never the values: this may end up in a log line. */
  @Override
  public synchronized String toString() {
    return "Pseudonyms[" + originalByPlaceholder.size() + " placeholders]";
  }
}
