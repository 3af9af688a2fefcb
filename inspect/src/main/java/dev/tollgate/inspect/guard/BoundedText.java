package dev.tollgate.inspect.guard;

/**
 * A text for operator-written regular expressions that gives up after a budget of character reads,
 * so one pattern with catastrophic backtracking cannot hold a request (and an ext_proc thread) for
 * seconds. Java's regex engine reads its input only through {@link #charAt}, so counting there
 * bounds the work.
 */
final class BoundedText implements CharSequence {
  /** Thrown when the budget is spent; preallocated and without a stack trace, since it is a verdict, not a bug. */
  static final class BudgetExceeded extends RuntimeException {
    private static final BudgetExceeded INSTANCE = new BudgetExceeded();

    private BudgetExceeded() {
      super("regular expression exceeded its budget", null, false, false);
    }
  }

  /** Reads allowed per character of text, plus a floor for short texts. */
  static final long READS_PER_CHAR = 200;
  static final long MIN_READS = 200_000;

  private final String text;
  private final long[] remaining;

  private BoundedText(String text, long[] remaining) {
    this.text = text;
    this.remaining = remaining;
  }

  static BoundedText of(String text) {
    return new BoundedText(text, new long[] {Math.max(MIN_READS, READS_PER_CHAR * text.length())});
  }

  @Override
  public char charAt(int index) {
    if (--remaining[0] < 0) {
      throw BudgetExceeded.INSTANCE;
    }
    return text.charAt(index);
  }

  @Override
  public int length() {
    return text.length();
  }

  /** Shares the budget, so a pattern cannot escape it through a sub-sequence. */
  @Override
  public CharSequence subSequence(int start, int end) {
    return new BoundedText(text.substring(start, end), remaining);
  }

  @Override
  public String toString() {
    return text;
  }
}
