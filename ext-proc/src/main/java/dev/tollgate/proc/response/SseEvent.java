package dev.tollgate.proc.response;

import java.nio.charset.StandardCharsets;

/**
 * One server-sent event as it came off the wire.
 *
 * @param raw      the event's bytes including its terminating blank line, so an event nobody
 *                 changes goes out exactly as it came in; empty for an oversized event (dropped)
 * @param data     its {@code data:} lines joined with "\n", or null when it has none (comments,
 *                 keep-alives, {@code event:}-only events)
 * @param complete false for the bytes left when the stream ended before the blank line
 * @param oversized true when the event exceeded the decoder's limit and was discarded
 */
public record SseEvent(byte[] raw, String data, boolean complete, boolean oversized) {
  public static final String DONE = "[DONE]";

  public boolean isDone() {
    return DONE.equals(data == null ? null : data.strip());
  }

  /** The wire form of one {@code data:} event, as OpenAI writes it. */
  public static byte[] encode(String data) {
    return ("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    // Never the content: it is model output, maybe personal data.
    return "SseEvent[" + raw.length + " bytes, data=" + (data == null ? "none" : data.length() + " chars")
        + (complete ? "" : ", incomplete") + (oversized ? ", oversized" : "") + "]";
  }
}
