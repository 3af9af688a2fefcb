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

  /**
   * With no whole occurrence at or after {@code from}: the first position from which a match
   * could still start once more text arrives (an occurrence begun at the very end, or within
   * {@code lead} characters that can come before one); the text's length if there is none.
   */
  abstract int tailStart(CharSequence text, int from);

  /**
   * Any of the given ASCII characters.
   *
   * @param before the characters a match may have between its start and the trigger (at most
   *     {@code lead} of them), e.g. an e-mail's local part before the '@'
   */
  static Trigger chars(int lead, String characters, String before) {
    boolean[] table = table(characters);
    boolean[] run = table(before);
    return new Trigger(lead) {
      @Override
      int next(CharSequence text, int from) {
        for (int i = from, n = text.length(); i < n; i++) {
          char c = text.charAt(i);
          if (c < 128 && table[c]) {
            return i;
          }
        }
        return -1;
      }

      @Override
      int tailStart(CharSequence text, int from) {
        int len = text.length();
        int p = len;
        while (p > from && p > len - lead) {
          char c = text.charAt(p - 1);
          if (c >= 128 || !run[c]) {
            break;
          }
          p--;
        }
        return p;
      }
    };
  }

  static Trigger chars(int lead, String characters) {
    return chars(lead, characters, "");
  }

  private static boolean[] table(String characters) {
    boolean[] table = new boolean[128];
    for (int i = 0; i < characters.length(); i++) {
      table[characters.charAt(i)] = true;
    }
    return table;
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
      int tailStart(CharSequence text, int from) {
        int len = text.length();
        for (int p = Math.max(from, len - max + 1); p < len; p++) {
          for (String literal : literals) {
            if (isPrefix(text, p, len, literal)) {
              return p;
            }
          }
        }
        return len;
      }
    };
  }

  static final String DIGITS = "0123456789";
  static final String LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

  /** Whether text[from, to) is a proper prefix of the literal. */
  private static boolean isPrefix(CharSequence text, int from, int to, String literal) {
    if (to - from >= literal.length()) {
      return false;
    }
    for (int i = from; i < to; i++) {
      if (text.charAt(i) != literal.charAt(i - from)) {
        return false;
      }
    }
    return true;
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
