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
 *       sends the first two events of a stream, then waits {@link #STALL}.
 *       Wire-format faults for the gateway's response side: {@code status-NNN-html} (an HTML error
 *       page, as a proxy in front of a provider sends) and {@code status-NNN-detail} (a
 *       {@code {"detail": ...}} body, as other vendors send); {@code gzip} (the body compressed with
 *       {@code content-encoding: gzip} whatever the request's accept-encoding says);
 *       {@code sse-broken} (a data line that is not JSON after the first event);
 *       {@code sse-truncated} (the stream ends mid-event, without {@code [DONE]});
 *       {@code sse-error} (an in-stream {@code {"error":...}} event after two events, then the
 *       end, as OpenAI reports a failure mid-stream); {@code sse-split} (each event written in two
 *       flushed halves cut inside the JSON, plus {@code : keep-alive} comments);
 *       {@code sse-per-char} (every code point of the text in its own chunk, so any echoed
 *       placeholder is split across chunks); {@code ignore-max-tokens} (answers as if the request
 *       gave no {@code max_tokens}/{@code max_completion_tokens}, as a provider that ignores the
 *       cap); {@code tool-call} (a chat answer that calls tools instead of writing text, echoing
 *       the tool calls of the request's last assistant message, see {@link ToolCallReply}; streamed
 *       arguments come a few characters per chunk, so an echoed placeholder is split across chunks)
 *       and {@code tool-call-ignore-max-tokens} (the same, ignoring the completion cap);
 *       {@code no-usage} (a plain answer without its {@code usage} object, as some
 *       OpenAI-compatible servers send). Anything else is normal.</li>
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

    /** An error status whose body is not OpenAI-shaped: {@code html} or {@code detail}. */
    record OddErrorBody(int status, String style) implements Misbehavior {}

    /** Answers as if the request set no completion cap. */
    record IgnoreMaxTokens() implements Misbehavior {}

    /**
     * A chat answer of function calls ({@link ToolCallReply}) instead of text; with
     * {@code ignoreMaxTokens} as if the request set no completion cap.
     */
    record ToolCall(boolean ignoreMaxTokens) implements Misbehavior {}

    /** A plain answer without {@code usage}. */
    record NoUsage() implements Misbehavior {}

    /** A well-formed reply put on the wire in one of the ways {@link StreamFault} names. */
    record WireFault(StreamFault fault) implements Misbehavior {}
  }

  /** How a reply's bytes deviate from the plain wire format. */
  enum StreamFault { GZIP, SSE_BROKEN, SSE_TRUNCATED, SSE_ERROR, SSE_SPLIT, SSE_PER_CHAR }

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
      case "gzip":
        return Optional.of(new Misbehavior.WireFault(StreamFault.GZIP));
      case "sse-broken":
        return Optional.of(new Misbehavior.WireFault(StreamFault.SSE_BROKEN));
      case "sse-truncated":
        return Optional.of(new Misbehavior.WireFault(StreamFault.SSE_TRUNCATED));
      case "sse-error":
        return Optional.of(new Misbehavior.WireFault(StreamFault.SSE_ERROR));
      case "sse-split":
        return Optional.of(new Misbehavior.WireFault(StreamFault.SSE_SPLIT));
      case "sse-per-char":
        return Optional.of(new Misbehavior.WireFault(StreamFault.SSE_PER_CHAR));
      case "ignore-max-tokens":
        return Optional.of(new Misbehavior.IgnoreMaxTokens());
      case "tool-call":
        return Optional.of(new Misbehavior.ToolCall(false));
      case "tool-call-ignore-max-tokens":
        return Optional.of(new Misbehavior.ToolCall(true));
      case "no-usage":
        return Optional.of(new Misbehavior.NoUsage());
      default:
        break;
    }
    if (!value.startsWith(STATUS_PREFIX)) {
      return Optional.empty();
    }
    String rest = value.substring(STATUS_PREFIX.length());
    String style = null;
    int dash = rest.indexOf('-');
    if (dash > 0) {
      style = rest.substring(dash + 1);
      rest = rest.substring(0, dash);
      if (!style.equals("html") && !style.equals("detail")) {
        return Optional.empty();
      }
    }
    try {
      int status = Integer.parseInt(rest);
      if (status < 400 || status > 599) {
        return Optional.empty();
      }
      return Optional.of(style == null ? new Misbehavior.Status(status) : new Misbehavior.OddErrorBody(status, style));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}
