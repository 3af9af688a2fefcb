package dev.tollgate.inspect.guard;

import java.text.Normalizer;

/**
 * A text reduced to what a reader would see, so that rules and the classifier cannot be dodged
 * with look-alike or invisible characters: Unicode tag characters are taken out (and what they
 * spell kept apart as {@link #tagPayload}), zero-width, bidi and variation-selector characters
 * removed, NFKD applied (full-width and mathematical letters become ASCII) and accents dropped,
 * Cyrillic and Greek look-alikes mapped to Latin, lower-cased, runs of white space made one space.
 * Plain ASCII text (most prompts) only gets the last two steps.
 *
 * @param text the normalised text
 * @param tagPayload ASCII spelled by Unicode tag characters (U+E0020..U+E007E), "" when none
 * @param hiddenChars how many invisible characters sat between letters, where they can only be
 *     there to split a word; zero-width joiners between emoji or in scripts that use them do not count
 * @param homoglyphs how many look-alike letters sat inside words that also have Latin letters
 */
record NormalizedText(String text, String tagPayload, int hiddenChars, int homoglyphs) {

  static NormalizedText of(String raw) {
    if (raw == null || raw.isEmpty()) {
      return new NormalizedText("", "", 0, 0);
    }
    if (isPlainAscii(raw)) {
      return new NormalizedText(collapse(raw), "", 0, 0);
    }
    StringBuilder visible = new StringBuilder(raw.length());
    StringBuilder tags = new StringBuilder();
    int hidden = 0;
    for (int i = 0; i < raw.length(); ) {
      int cp = raw.codePointAt(i);
      i += Character.charCount(cp);
      if (cp >= 0xE0000 && cp <= 0xE007F) {
        if (cp >= 0xE0020 && cp <= 0xE007E) {
          tags.append((char) (cp - 0xE0000));
        }
        continue;
      }
      if (isInvisible(cp)) {
        if (betweenLetters(raw, i - Character.charCount(cp), i)) {
          hidden++;
        }
        continue;
      }
      visible.appendCodePoint(cp);
    }
    String folded = foldCompatibilityAndAccents(visible);
    StringBuilder mapped = new StringBuilder(folded.length());
    int homoglyphs = 0;
    int wordStart = 0;
    boolean wordHasLatin = false;
    int wordLookalikes = 0;
    for (int i = 0; i < folded.length(); i++) {
      char c = folded.charAt(i);
      char latin = Confusables.toLatin(c);
      if (!Character.isLetterOrDigit(c) && latin == 0) {
        if (wordHasLatin) {
          homoglyphs += wordLookalikes;
        }
        wordHasLatin = false;
        wordLookalikes = 0;
        wordStart = i + 1;
        mapped.append(c);
        continue;
      }
      if (latin != 0) {
        wordLookalikes++;
        mapped.append(latin);
      } else {
        if (c < 0x80) {
          wordHasLatin = true;
        }
        mapped.append(c);
      }
    }
    if (wordHasLatin) {
      homoglyphs += wordLookalikes;
    }
    return new NormalizedText(collapse(mapped), tags.toString(), hidden, homoglyphs);
  }

  private static boolean isPlainAscii(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) >= 0x80) {
        return false;
      }
    }
    return true;
  }

  static boolean isInvisible(int cp) {
    return (cp >= 0x200B && cp <= 0x200F) // zero-width space/joiners, LRM/RLM
        || (cp >= 0x202A && cp <= 0x202E) // bidi embeddings and overrides
        || (cp >= 0x2060 && cp <= 0x2064) // word joiner, invisible operators
        || (cp >= 0x2066 && cp <= 0x2069) // bidi isolates
        || (cp >= 0xFE00 && cp <= 0xFE0F) // variation selectors
        || (cp >= 0xE0100 && cp <= 0xE01EF) // variation selectors supplement
        || cp == 0xFEFF || cp == 0x00AD || cp == 0x180E || cp == 0x034F || cp == 0x115F
        || cp == 0x1160 || cp == 0x3164 || cp == 0xFFA0;
  }

  /** An invisible character between two letters is splitting a word; elsewhere it may be benign. */
  private static boolean betweenLetters(String s, int start, int end) {
    int before = start - 1;
    while (before >= 0 && isInvisibleAt(s, before)) {
      before--;
    }
    int after = end;
    while (after < s.length() && isInvisibleAt(s, after)) {
      after++;
    }
    return before >= 0 && after < s.length()
        && isLatinLetter(s.charAt(before)) && isLatinLetter(s.charAt(after));
  }

  private static boolean isInvisibleAt(String s, int index) {
    char c = s.charAt(index);
    return isInvisible(c) || Character.isSurrogate(c);
  }

  private static boolean isLatinLetter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || Confusables.toLatin(c) != 0;
  }

  /**
   * NFKD, then without combining marks: one pass that does what NFKC (full-width and mathematical
   * letters, ligatures) and accent stripping would do in three. The result is not recomposed
   * (Hangul stays as jamo); the rules are Latin and the classifier is trained on the same form.
   */
  private static String foldCompatibilityAndAccents(CharSequence s) {
    String decomposed = Normalizer.normalize(s, Normalizer.Form.NFKD);
    StringBuilder out = null;
    for (int i = 0; i < decomposed.length(); i++) {
      char c = decomposed.charAt(i);
      if (c >= 0x300 && Character.getType(c) == Character.NON_SPACING_MARK) {
        if (out == null) {
          out = new StringBuilder(decomposed.length()).append(decomposed, 0, i);
        }
      } else if (out != null) {
        out.append(c);
      }
    }
    return out == null ? decomposed : out.toString();
  }

  /** Lower-cases ASCII letters and makes each run of white space (and control characters) one space. */
  static String collapse(CharSequence s) {
    StringBuilder out = new StringBuilder(s.length());
    boolean space = true;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isWhitespace(c) || Character.isSpaceChar(c) || Character.isISOControl(c)) {
        if (!space) {
          out.append(' ');
          space = true;
        }
        continue;
      }
      space = false;
      if (c >= 'A' && c <= 'Z') {
        out.append((char) (c + 32));
      } else if (c >= 0x80 && Character.isUpperCase(c)) {
        out.append(Character.toLowerCase(c));
      } else {
        out.append(c);
      }
    }
    int length = out.length();
    if (length > 0 && out.charAt(length - 1) == ' ') {
      out.setLength(length - 1);
    }
    return out.toString();
  }

}
