package dev.tollgate.fakeprovider;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The test hooks, selected per request so one fake serves every fault test:
 * <ul>
 *   <li>{@code x-fake-provider-behavior}: {@code status-NNN} (NNN in 400..599) answers that status
 *       with an OpenAI-shaped error; {@code reset} closes the connection without answering;
 *       {@code stall-first-byte} waits {@link #STALL} before the first byte; {@code stall-mid-stream}
 *       sends the first two events of a stream, then waits {@link #STALL}. Anything else is normal.</li>
 *   <li>{@code x-fake-provider-fail-first: N} with {@code x-fake-provider-key: K}: misbehave only on
 *       the first N requests carrying key K, then answer normally, so a test can watch a retry
 *       succeed.</li>
 * </ul>
 */
final class BehaviorHeader {

  static final String NAME = "x-fake-provider-behavior";
  static final String FAIL_FIRST = "x-fake-provider-fail-first";
  static final String KEY = "x-fake-provider-key";
  /** Long enough that any gateway timeout under test fires first; a closing provider interrupts it. */
  static final java.time.Duration STALL = java.time.Duration.ofSeconds(30);
  private static final String STATUS_PREFIX = "status-";

  /** What one request asks the fake to do wrong. */
  sealed interface Misbehavior {
    record Status(int status) implements Misbehavior {}

    record Reset() implements Misbehavior {}

    record StallFirstByte() implements Misbehavior {}

    record StallMidStream() implements Misbehavior {}
  }

  private final Map<String, AtomicInteger> seenByKey = new ConcurrentHashMap<>();

  Optional<Misbehavior> misbehavior(IncomingRequest request) {
    Optional<Misbehavior> asked = parse(request.header(NAME));
    if (asked.isEmpty()) {
      return asked;
    }
    String failFirst = request.header(FAIL_FIRST);
    String key = request.header(KEY);
    if (failFirst == null || key == null) {
      return asked;
    }
    try {
      int limit = Integer.parseInt(failFirst.trim());
      int seen = seenByKey.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
      return seen <= limit ? asked : Optional.empty();
    } catch (NumberFormatException e) {
      return asked;
    }
  }

  static Optional<Misbehavior> parse(String headerValue) {
    if (headerValue == null) {
      return Optional.empty();
    }
    String value = headerValue.trim().toLowerCase(Locale.ROOT);
    switch (value) {
      case "reset":
        return Optional.of(new Misbehavior.Reset());
      case "stall-first-byte":
        return Optional.of(new Misbehavior.StallFirstByte());
      case "stall-mid-stream":
        return Optional.of(new Misbehavior.StallMidStream());
      default:
        break;
    }
    if (!value.startsWith(STATUS_PREFIX)) {
      return Optional.empty();
    }
    try {
      int status = Integer.parseInt(value.substring(STATUS_PREFIX.length()));
      return status >= 400 && status <= 599 ? Optional.of(new Misbehavior.Status(status)) : Optional.empty();
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}
