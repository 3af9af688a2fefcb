package dev.tollgate.inspect.pii;

/**
 * What every match of a detector contains close to its start: a literal ("eyJ", "-----BEGIN ")
 * or a character (an '@', a digit), at most {@code lead} characters after the match's start. The
 * scanner only tries the regular expression near such places instead of at every position, which
 * is what keeps a 4 KB prompt with no digits and no '@' nearly free. Must hold for every match, or
 * matches are missed: the unit tests compare against the plain regular expression.
 */
abstract class Trigger {
  final int lead;

  private Trigger(int lead) {
    this.lead = lead;
  }

  /** The first occurrence starting at or after {@code from}, whole within the text; -1 if none. */
  abstract int next(CharSequence text, int from);

  /** Longest occurrence: an occurrence this much shorter may still be completed by more text. */
  abstract int length();

  interface CharTest {
    boolean test(char c);
  }

  static Trigger chars(int lead, CharTest test) {
    return new Trigger(lead) {
      @Override
      int next(CharSequence text, int from) {
        for (int i = from, n = text.length(); i < n; i++) {
          if (test.test(text.charAt(i))) {
            return i;
          }
        }
        return -1;
      }

      @Override
      int length() {
        return 1;
      }
    };
  }

  static Trigger literals(int lead, String... literals) {
    int longest = 0;
    for (String literal : literals) {
      longest = Math.max(longest, literal.length());
    }
    int max = longest;
    return new Trigger(lead) {
      @Override
      int next(CharSequence text, int from) {
        int best = -1;
        for (String literal : literals) {
          int at = indexOf(text, literal, from);
          if (at >= 0 && (best < 0 || at < best)) {
            best = at;
          }
        }
        return best;
      }

      @Override
      int length() {
        return max;
      }
    };
  }

  static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private static int indexOf(CharSequence text, String literal, int from) {
    if (text instanceof String s) {
      return s.indexOf(literal, from);
    }
    if (text instanceof StringBuilder sb) {
      return sb.indexOf(literal, from);
    }
    return text.toString().indexOf(literal, from);
  }
}
