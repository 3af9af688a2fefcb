package dev.tollgate.inspect.pii;

import java.util.Map;

/** The validity checks of the built-in detectors: checksums and number ranges, no regexes. */
final class Checks {
  private Checks() {}

  /** Card numbers: 12 to 19 digits (separators ignored) passing the Luhn checksum. */
  static boolean luhn(CharSequence text, int start, int end) {
    int sum = 0;
    int digits = 0;
    for (int i = end - 1; i >= start; i--) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        continue;
      }
      int d = c - '0';
      if ((digits & 1) == 1) {
        d *= 2;
        if (d > 9) {
          d -= 9;
        }
      }
      sum += d;
      digits++;
    }
    return digits >= 12 && digits <= 19 && sum % 10 == 0;
  }

  /** US SSN {@code AAA-GG-SSSS}: area not 000, 666 or 900-999; group not 00; serial not 0000. */
  static boolean ssn(CharSequence text, int start, int end) {
    StringBuilder d = new StringBuilder(9);
    for (int i = start; i < end; i++) {
      char c = text.charAt(i);
      if (c >= '0' && c <= '9') {
        d.append(c);
      }
    }
    if (d.length() != 9) {
      return false;
    }
    int area = Integer.parseInt(d.substring(0, 3));
    int group = Integer.parseInt(d.substring(3, 5));
    int serial = Integer.parseInt(d.substring(5, 9));
    return area != 0 && area != 666 && area < 900 && group != 0 && serial != 0;
  }

  /** Dotted-quad IPv4: four decimal octets 0..255, no leading zeros (those read as octal). */
  static boolean ipv4(CharSequence text, int start, int end) {
    int octets = 0;
    int i = start;
    while (i < end) {
      int j = i;
      while (j < end && text.charAt(j) != '.') {
        j++;
      }
      int len = j - i;
      if (len < 1 || len > 3 || (len > 1 && text.charAt(i) == '0')) {
        return false;
      }
      int value = 0;
      for (int k = i; k < j; k++) {
        char c = text.charAt(k);
        if (c < '0' || c > '9') {
          return false;
        }
        value = value * 10 + (c - '0');
      }
      if (value > 255) {
        return false;
      }
      octets++;
      i = j + 1;
      if (j < end && i == end) {
        return false; // trailing dot
      }
    }
    return octets == 4;
  }

  /**
   * IPv6 text form (RFC 4291 2.2): eight groups of 1-4 hex digits, or fewer with one "::", the
   * last 32 bits optionally as dotted quad. Also requires two non-empty groups and six characters,
   * so C++ scopes like {@code std::} and times like {@code 12:30} are not addresses.
   */
  static boolean ipv6(CharSequence text, int start, int end) {
    String s = text.subSequence(start, end).toString();
    if (s.length() < 6) {
      return false;
    }
    int v4Groups = 0;
    String body = s;
    if (s.indexOf('.') >= 0) {
      int lastColon = s.lastIndexOf(':');
      if (lastColon < 0 || !ipv4(s, lastColon + 1, s.length())) {
        return false;
      }
      v4Groups = 2;
      body = s.substring(0, lastColon + 1);
      if (!body.endsWith("::")) {
        body = body.substring(0, body.length() - 1);
      }
    }
    int dc = body.indexOf("::");
    if (dc >= 0) {
      if (body.indexOf("::", dc + 1) >= 0) {
        return false;
      }
      int left = countGroups(body.substring(0, dc));
      int right = countGroups(body.substring(dc + 2));
      if (left < 0 || right < 0 || left + right + v4Groups > 7) {
        return false;
      }
      return left + right + (v4Groups > 0 ? 1 : 0) >= 2;
    }
    int groups = countGroups(body);
    return groups >= 0 && groups + v4Groups == 8;
  }

  /** Groups in a colon-separated run without "::"; -1 if malformed; 0 for "". */
  private static int countGroups(String part) {
    if (part.isEmpty()) {
      return 0;
    }
    String[] groups = part.split(":", -1);
    for (String g : groups) {
      if (g.isEmpty() || g.length() > 4) {
        return -1;
      }
      for (int i = 0; i < g.length(); i++) {
        if (Character.digit(g.charAt(i), 16) < 0) {
          return -1;
        }
      }
    }
    return groups.length;
  }

  /** IBAN lengths by country (SWIFT IBAN registry). */
  private static final Map<String, Integer> IBAN_LENGTHS = Map.ofEntries(
      Map.entry("AD", 24), Map.entry("AE", 23), Map.entry("AL", 28), Map.entry("AT", 20),
      Map.entry("AZ", 28), Map.entry("BA", 20), Map.entry("BE", 16), Map.entry("BG", 22),
      Map.entry("BH", 22), Map.entry("BI", 27), Map.entry("BR", 29), Map.entry("BY", 28),
      Map.entry("CH", 21), Map.entry("CR", 22), Map.entry("CY", 28), Map.entry("CZ", 24),
      Map.entry("DE", 22), Map.entry("DJ", 27), Map.entry("DK", 18), Map.entry("DO", 28),
      Map.entry("EE", 20), Map.entry("EG", 29), Map.entry("ES", 24), Map.entry("FI", 18),
      Map.entry("FK", 18), Map.entry("FO", 18), Map.entry("FR", 27), Map.entry("GB", 22),
      Map.entry("GE", 22), Map.entry("GI", 23), Map.entry("GL", 18), Map.entry("GR", 27),
      Map.entry("GT", 28), Map.entry("HR", 21), Map.entry("HU", 28), Map.entry("IE", 22),
      Map.entry("IL", 23), Map.entry("IQ", 23), Map.entry("IS", 26), Map.entry("IT", 27),
      Map.entry("JO", 30), Map.entry("KW", 30), Map.entry("KZ", 20), Map.entry("LB", 28),
      Map.entry("LC", 32), Map.entry("LI", 21), Map.entry("LT", 20), Map.entry("LU", 20),
      Map.entry("LV", 21), Map.entry("LY", 25), Map.entry("MC", 27), Map.entry("MD", 24),
      Map.entry("ME", 22), Map.entry("MK", 19), Map.entry("MN", 20), Map.entry("MR", 27),
      Map.entry("MT", 31), Map.entry("MU", 30), Map.entry("NI", 28), Map.entry("NL", 18),
      Map.entry("NO", 15), Map.entry("OM", 23), Map.entry("PK", 24), Map.entry("PL", 28),
      Map.entry("PS", 29), Map.entry("PT", 25), Map.entry("QA", 29), Map.entry("RO", 24),
      Map.entry("RS", 22), Map.entry("RU", 33), Map.entry("SA", 24), Map.entry("SC", 31),
      Map.entry("SD", 18), Map.entry("SE", 24), Map.entry("SI", 19), Map.entry("SK", 24),
      Map.entry("SM", 27), Map.entry("SO", 23), Map.entry("ST", 25), Map.entry("SV", 28),
      Map.entry("TL", 23), Map.entry("TN", 24), Map.entry("TR", 26), Map.entry("UA", 29),
      Map.entry("VA", 22), Map.entry("VG", 24), Map.entry("XK", 20), Map.entry("YE", 30));

  /** IBAN: known country, that country's length, ISO 7064 mod-97 == 1. Spaces ignored. */
  static boolean iban(CharSequence text, int start, int end) {
    StringBuilder s = new StringBuilder(34);
    for (int i = start; i < end; i++) {
      char c = text.charAt(i);
      if (c != ' ') {
        s.append(Character.toUpperCase(c));
      }
    }
    if (s.length() < 4) {
      return false;
    }
    Integer length = IBAN_LENGTHS.get(s.substring(0, 2));
    if (length == null || length != s.length()) {
      return false;
    }
    int remainder = 0;
    for (int k = 0; k < s.length(); k++) {
      char c = s.charAt((k + 4) % s.length());
      int value;
      if (c >= '0' && c <= '9') {
        value = c - '0';
        remainder = (remainder * 10 + value) % 97;
      } else if (c >= 'A' && c <= 'Z') {
        value = c - 'A' + 10;
        remainder = (remainder * 100 + value) % 97;
      } else {
        return false;
      }
    }
    return remainder == 1;
  }

  /** Private key body or token: at least one digit and one letter, so prose is not a key. */
  static boolean mixed(CharSequence text, int start, int end) {
    boolean digit = false;
    boolean letter = false;
    for (int i = start; i < end && !(digit && letter); i++) {
      char c = text.charAt(i);
      digit |= c >= '0' && c <= '9';
      letter |= (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }
    return digit && letter;
  }
}
