package dev.tollgate.inspect.pii;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;

/**
 * Runs a set of detectors over a text that may still be growing (a stream) and says how far the
 * text is decided. A position is undecided while some detector's match attempt from there reached
 * the end of the text ({@link Matcher#hitEnd()}): more text could still make, extend or break a
 * match. Everything before the first undecided position can be rewritten and sent.
 *
 * <p>Whole texts use the same code with {@code endOfInput}, so a stream split anywhere gives
 * exactly the result of the whole text (the unit tests check every split). The one exception is a
 * custom pattern whose match is longer than its {@code max_length}: after that many characters the
 * stream decides with what it has.
 *
 * <p>Not thread-safe; one per text or stream.
 */
final class SpanScanner {
  /** A candidate that passed its detector's check. */
  record Found(int start, int end, Detector detector) {}

  private static final Comparator<Found> ORDER = Comparator.comparingInt(Found::start)
      .thenComparing(Comparator.comparingInt((Found f) -> f.end).reversed())
      .thenComparingInt(f -> f.detector.priority());

  private static final class Cursor {
    final Detector detector;
    final Matcher matcher;
    /** Positions before this are decided for this detector; their matches are in {@code found}. */
    int resume;
    /** Whether {@code resume} is undecided (a match attempt from there reached the end). */
    boolean pending;
    /** Text length at which a pending position is tried again. */
    int recheckAt;
    final List<Found> found = new ArrayList<>();

    Cursor(Detector detector) {
      this.detector = detector;
      this.matcher = detector.pattern().matcher("");
    }
  }

  /**
   * A held candidate (an open PEM block, a long token) is tried again only after the text grew by
   * an eighth of what it covers, at most this much. Trying it on every delta would cost time
   * quadratic in its length when deltas are tiny; this way a value held for n characters costs
   * about n * n / (2 * 256) steps at worst, and is released at most this many characters late.
   */
  static final int RECHECK_STEP = 256;

  private final Cursor[] cursors;

  SpanScanner(List<Detector> detectors) {
    cursors = new Cursor[detectors.size()];
    for (int i = 0; i < cursors.length; i++) {
      cursors[i] = new Cursor(detectors.get(i));
    }
  }

  /**
   * Scans what was added since the last call.
   *
   * @return the first undecided position; {@code text.length()} when {@code endOfInput}
   */
  int scan(CharSequence text, boolean endOfInput) {
    int len = text.length();
    int undecided = len;
    for (Cursor cursor : cursors) {
      undecided = Math.min(undecided, scan(cursor, text, len, endOfInput));
    }
    return undecided;
  }

  private static int scan(Cursor c, CharSequence text, int len, boolean endOfInput) {
    Matcher m = c.matcher;
    m.reset(text);
    m.useTransparentBounds(true); // look-behinds see the text before the region
    m.useAnchoringBounds(false);  // ^ and $ mean the text's ends, not the region's
    Detector detector = c.detector;
    Detector.Check check = detector.check();
    Trigger trigger = detector.trigger();
    // Candidates starting this far back cannot reach the end: decide them as at end of input.
    int young = endOfInput ? len : Math.max(0, len - detector.maxLength());
    if (!endOfInput && c.pending && len < c.recheckAt) {
      return c.resume; // still held: see RECHECK_STEP
    }
    int i = c.resume;
    while (i < len) {
      if (trigger != null) {
        // Skip to the first position that has a trigger within its lead, or, near the end, could
        // still get one from the next delta.
        int t = trigger.next(text, i);
        if (t >= 0) {
          i = Math.max(i, t - trigger.lead);
        } else if (endOfInput) {
          break;
        } else {
          i = Math.max(i, trigger.tailStart(text, i));
          if (i >= len) {
            break;
          }
        }
      } else if (i < young) {
        m.region(i, len);
        if (!m.find() || m.start() >= young) {
          i = young;
          continue;
        }
        i = accept(c, text, m.start(), m.end(), check);
        continue;
      }
      m.region(i, len);
      boolean matched = m.lookingAt();
      if (i >= young && m.hitEnd()) {
        c.resume = i;
        c.pending = true;
        c.recheckAt = len + Math.min(RECHECK_STEP, Math.max(1, (len - i) / 8));
        return i;
      }
      i = matched ? accept(c, text, i, m.end(), check) : i + 1;
    }
    c.resume = len;
    c.pending = false;
    return len;
  }

  /** Records an accepted candidate; returns where the search continues. */
  private static int accept(Cursor c, CharSequence text, int start, int end, Detector.Check check) {
    if (end <= start) {
      return start + 1;
    }
    int accepted = check.acceptedEnd(text, start, end);
    if (accepted <= start) {
      return start + 1;
    }
    c.found.add(new Found(start, accepted, c.detector));
    return accepted;
  }

  /**
   * Chooses the values in {@code [from, limit)}: leftmost first, then longest, then detector
   * priority; overlapping ones lose. A chosen value that crosses {@code limit} is not taken and
   * pulls the limit back to its start. Removes everything before the returned limit.
   *
   * @return the limit actually used (at most {@code limit})
   */
  int take(int from, int limit, List<Found> chosen) {
    List<Found> candidates = new ArrayList<>();
    for (Cursor c : cursors) {
      for (Found f : c.found) {
        if (f.start < limit) {
          candidates.add(f);
        }
      }
    }
    if (!candidates.isEmpty()) {
      candidates.sort(ORDER);
      int lastEnd = from;
      for (Found f : candidates) {
        if (f.start < lastEnd) {
          continue;
        }
        if (f.end > limit) {
          limit = f.start;
          break;
        }
        chosen.add(f);
        lastEnd = f.end;
      }
      int cut = limit;
      for (Cursor c : cursors) {
        c.found.removeIf(f -> f.start < cut);
      }
    }
    return limit;
  }

  /** The first {@code n} characters of the text were dropped. */
  void shift(int n) {
    for (Cursor c : cursors) {
      c.resume -= n;
      c.recheckAt -= n;
      c.found.replaceAll(f -> new Found(f.start - n, f.end - n, f.detector));
    }
  }
}
