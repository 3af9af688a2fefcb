package dev.tollgate.inspect.pii;

import java.util.ArrayList;
import java.util.List;

/**
 * The stream transformer: appends each delta, sends everything before the first undecided
 * position (see {@link SpanScanner}), holds back the rest. Keeps a little already-sent text so
 * look-behinds ("not preceded by a letter") still see it, and drops the rest as it goes, so memory
 * stays bounded by the largest hold-back, not by the stream's length.
 */
final class PiiStream implements StreamTransformer {
  /** Replaces the chosen spans of {@code [from, to)}. */
  interface Rewriter {
    String rewrite(CharSequence text, int from, int to, List<SpanScanner.Found> chosen);

    java.util.Map<String, Integer> counts();
  }

  private static final int KEEP_CONTEXT = 256;
  private static final int TRIM_AFTER = 8192;

  private final SpanScanner scanner;
  private final Rewriter rewriter;
  private final StringBuilder buffer = new StringBuilder();
  private final List<SpanScanner.Found> chosen = new ArrayList<>();
  /** Everything before this has been sent. */
  private int sent;
  private boolean finished;

  PiiStream(SpanScanner scanner, Rewriter rewriter) {
    this.scanner = scanner;
    this.rewriter = rewriter;
  }

  @Override
  public String accept(String delta) {
    if (finished) {
      throw new IllegalStateException("stream already finished");
    }
    if (delta == null || delta.isEmpty()) {
      return "";
    }
    trim();
    buffer.append(delta);
    int limit = scanner.scan(buffer, false);
    if (limit > sent && Character.isHighSurrogate(buffer.charAt(limit - 1))) {
      limit--; // never end a piece inside a surrogate pair: each piece is JSON-encoded on its own
    }
    return send(limit);
  }

  @Override
  public String finish() {
    if (finished) {
      return "";
    }
    finished = true;
    return send(scanner.scan(buffer, true));
  }

  private String send(int limit) {
    chosen.clear();
    int to = scanner.take(sent, limit, chosen);
    if (to <= sent) {
      return "";
    }
    String out = rewriter.rewrite(buffer, sent, to, chosen);
    sent = to;
    return out;
  }

  @Override
  public java.util.Map<String, Integer> countsByEntityType() {
    return rewriter.counts();
  }

  private void trim() {
    if (sent > TRIM_AFTER) {
      int cut = sent - KEEP_CONTEXT;
      buffer.delete(0, cut);
      sent -= cut;
      scanner.shift(cut);
    }
  }
}
