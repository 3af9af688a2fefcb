package dev.tollgate.proc.response;

import com.google.protobuf.ByteString;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a byte stream into server-sent events (WHATWG HTML, "event stream" parsing) whatever
 * the chunk boundaries: Envoy hands over bytes as they arrive, so an event, a line, a CRLF pair or
 * a UTF-8 sequence may be cut anywhere. Lines end in LF, CRLF or CR; a blank line ends an event.
 * Bytes are kept only until their event is complete.
 */
public final class SseDecoder {
  /** Default limit on one event; a provider's chunk is a few hundred bytes. */
  public static final int DEFAULT_MAX_EVENT_BYTES = 1 << 20;

  private final int maxEventBytes;
  private final ByteArrayOutputStream raw = new ByteArrayOutputStream(512);
  private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);
  private StringBuilder data;
  private boolean eventHasLines;
  private boolean pendingCr;
  /** An event ended on a CR; it is handed over once the next byte shows whether an LF follows. */
  private boolean dispatchPending;
  /** Over the limit: drop bytes until the event's blank line, then report it once. */
  private boolean skipping;
  /** In skip mode: bytes of the current line, counted, not kept; 0 at a line end means blank line. */
  private long skippedLineBytes;

  public SseDecoder() {
    this(DEFAULT_MAX_EVENT_BYTES);
  }

  public SseDecoder(int maxEventBytes) {
    this.maxEventBytes = maxEventBytes;
  }

  /** @return the events completed by these bytes, in order */
  public List<SseEvent> feed(ByteString bytes) {
    List<SseEvent> events = new ArrayList<>(2);
    int size = bytes.size();
    for (int i = 0; i < size; i++) {
      byte b = bytes.byteAt(i);
      if (pendingCr) {
        pendingCr = false;
        if (b == '\n') {
          // The LF of a CRLF whose CR ended the previous line (or event): it belongs there.
          keep(b);
          if (dispatchPending) {
            dispatch(events);
          }
          continue;
        }
        if (dispatchPending) {
          dispatch(events);
        }
      }
      keep(b);
      if (b == '\n' || b == '\r') {
        pendingCr = b == '\r';
        endLine(events);
      } else if (skipping) {
        skippedLineBytes++;
      } else {
        line.write(b);
        if (raw.size() > maxEventBytes) {
          skipping = true;
          skippedLineBytes = 1;
          raw.reset();
          line.reset();
          data = null;
        }
      }
    }
    return events;
  }

  /**
   * The stream ended. @return the unterminated rest as an incomplete event, or nothing when the
   * stream ended on an event boundary
   */
  public List<SseEvent> finish() {
    List<SseEvent> rest = new ArrayList<>(1);
    if (dispatchPending) {
      dispatch(rest);
    } else if (skipping) {
      rest.add(new SseEvent(new byte[0], null, false, true));
    } else if (line.size() > 0 || eventHasLines) {
      if (line.size() > 0) {
        field(line.toByteArray());
      }
      rest.add(new SseEvent(raw.toByteArray(), data == null ? null : data.toString(), false, false));
    } else if (raw.size() > 0) {
      // Only blank lines after the last event: no event, but the bytes still go out as they came.
      rest.add(new SseEvent(raw.toByteArray(), null, true, false));
    }
    reset();
    pendingCr = false;
    return rest;
  }

  /** Bytes held for an unfinished event; for tests and the hold-back measurement. */
  public int buffered() {
    return raw.size();
  }

  private void keep(byte b) {
    if (!skipping) {
      raw.write(b);
    }
  }

  private void endLine(List<SseEvent> events) {
    if (skipping) {
      if (skippedLineBytes == 0) {
        events.add(new SseEvent(new byte[0], null, true, true));
        reset();
      }
      skippedLineBytes = 0;
      return;
    }
    if (line.size() == 0) {
      if (eventHasLines) {
        if (pendingCr) {
          // Wait for the byte after this CR: if it is the LF of a CRLF, it goes with this event,
          // so the event's bytes end on its own blank line and a rewritten next event is clean.
          dispatchPending = true;
        } else {
          dispatch(events);
        }
      }
      // A blank line with no event before it dispatches nothing; its bytes go with the next event.
      return;
    }
    field(line.toByteArray());
    eventHasLines = true;
    line.reset();
  }

  private void dispatch(List<SseEvent> events) {
    events.add(new SseEvent(raw.toByteArray(), data == null ? null : data.toString(), true, false));
    reset();
  }

  private void field(byte[] bytes) {
    if (bytes.length > 0 && bytes[0] == ':') {
      return; // comment
    }
    int colon = -1;
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == ':') {
        colon = i;
        break;
      }
    }
    String name = new String(bytes, 0, colon < 0 ? bytes.length : colon, StandardCharsets.UTF_8);
    if (!name.equals("data")) {
      return; // event, id, retry and unknown fields travel in raw
    }
    int from = colon < 0 ? bytes.length : colon + 1;
    if (from < bytes.length && bytes[from] == ' ') {
      from++;
    }
    String value = new String(bytes, from, bytes.length - from, StandardCharsets.UTF_8);
    if (data == null) {
      data = new StringBuilder(value);
    } else {
      data.append('\n').append(value);
    }
  }

  private void reset() {
    raw.reset();
    line.reset();
    data = null;
    eventHasLines = false;
    skipping = false;
    dispatchPending = false;
  }
}
