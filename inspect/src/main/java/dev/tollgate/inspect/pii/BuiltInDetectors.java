package dev.tollgate.inspect.pii;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The built-in detectors. Every pattern bounds its repetitions, so {@link Detector#maxLength()}
 * is a true upper bound of a candidate plus its look-arounds; that bound is what a stream holds
 * back, and what makes streamed and whole-text results identical. Hold-back caps, per type:
 * SECRET 12,200 (a PEM block still open; API keys and tokens 22-257), EMAIL 480, PHONE 128,
 * IBAN 72, IP_ADDRESS 56, CREDIT_CARD 40, US_SSN 16.
 */
final class BuiltInDetectors {
  private BuiltInDetectors() {}

  static final int PEM_MAX_BODY = 12_000;
  static final int JWT_MAX_PAYLOAD = 8_000;

  private static final Pattern AWS_ACCESS_KEY_ID = Pattern.compile(
      "(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|APKA|AROA)[A-Z0-9]{16}"
          + "(?![A-Za-z0-9])");
  /** OpenAI (sk-, sk-proj-, sk-svcacct-, sk-admin-) and Anthropic (sk-ant-api03-...) keys. */
  private static final Pattern SK_KEY = Pattern.compile(
      "(?<![A-Za-z0-9_-])sk-[A-Za-z0-9_-]{20,250}(?![A-Za-z0-9_-])");
  private static final Pattern GOOGLE_API_KEY = Pattern.compile(
      "(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_-]{35}(?![A-Za-z0-9_-])");
  private static final Pattern GITHUB_TOKEN = Pattern.compile(
      "(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9_]{22,244})"
          + "(?![A-Za-z0-9_])");
  /** A private key block; one left open at the end of the text is still a key. */
  private static final Pattern PEM_PRIVATE_KEY = Pattern.compile(
      "-----BEGIN (?:[A-Z0-9]{1,16} ){0,3}PRIVATE KEY-----[A-Za-z0-9+/=\\s:,.-]{0," + PEM_MAX_BODY
          + "}?(?:-----END (?:[A-Z0-9]{1,16} ){0,3}PRIVATE KEY-----|(?=[^A-Za-z0-9+/=\\s:,.-])|$)");
  private static final Pattern JWT = Pattern.compile(
      "(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{5,1000}\\.eyJ[A-Za-z0-9_-]{5," + JWT_MAX_PAYLOAD
          + "}\\.[A-Za-z0-9_-]{0,1000}(?![A-Za-z0-9_-])");
  private static final Pattern EMAIL = Pattern.compile(
      "(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@"
          + "(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.){1,6}[A-Za-z]{2,24}(?![A-Za-z0-9-])");
  private static final Pattern IBAN = Pattern.compile(
      "(?<![A-Za-z0-9])[A-Za-z]{2}[0-9]{2}(?: ?[A-Za-z0-9]){11,30}(?![A-Za-z0-9])");
  private static final Pattern CREDIT_CARD = Pattern.compile(
      "(?<![0-9A-Za-z_.+-])(?<![0-9][ -])[1-6][0-9]{3}(?:[ -]?[0-9]){8,15}(?![0-9])");
  private static final Pattern US_SSN = Pattern.compile(
      "(?<![0-9-])[0-9]{3}([- ])[0-9]{2}\\1[0-9]{4}(?![0-9-])");
  private static final Pattern IPV4 = Pattern.compile(
      "(?<![0-9.])[0-9]{1,3}(?:\\.[0-9]{1,3}){3}(?!\\.?[0-9])");
  private static final Pattern IPV6 = Pattern.compile(
      "(?<![0-9A-Fa-f:])(?:[0-9A-Fa-f]{0,4}:){2,7}"
          + "(?:[0-9A-Fa-f]{1,4}|[0-9]{1,3}(?:\\.[0-9]{1,3}){3})?(?![0-9A-Fa-f:]|\\.[0-9])");
  /** Candidates only; libphonenumber decides. Digit runs are possessive so failures are cheap. */
  private static final Pattern PHONE = Pattern.compile(
      "(?<![\\w+.-])(?:\\+[0-9]{1,3}[ .-]?(?:\\([0-9]{1,5}\\)[ .-]?)?|\\([0-9]{1,5}\\)[ .-]?"
          + "|(?<![0-9][ .-]))[0-9]{1,15}+"
          + "(?:[ .-][0-9]{1,15}+){0,6}(?: ?(?:x|ext\\.?) ?[0-9]{1,6}+)?(?!\\w|:[0-9])");

  static List<Detector> all(String defaultRegion, List<String> phoneRegions) {
    List<Detector> list = new ArrayList<>();
    Trigger digit = Trigger.chars(0, Trigger.DIGITS);
    list.add(new Detector("SECRET", PEM_PRIVATE_KEY, PEM_MAX_BODY + 200, Detector.Check.ANY, 0,
        Trigger.literals(0, "-----BEGIN ")));
    list.add(new Detector("SECRET", JWT, JWT_MAX_PAYLOAD + 2020, Detector.Check.ANY, 0,
        Trigger.literals(0, "eyJ")));
    list.add(new Detector("SECRET", AWS_ACCESS_KEY_ID, 24, Detector.Check.ANY, 0, Trigger.literals(0,
        "AKIA", "ASIA", "ABIA", "ACCA", "AGPA", "AIDA", "AIPA", "ANPA", "ANVA", "APKA", "AROA")));
    list.add(new Detector("SECRET", SK_KEY, 258,
        (t, s, e) -> Checks.mixed(t, s + 3, e) ? e : -1, 0, Trigger.literals(0, "sk-")));
    list.add(new Detector("SECRET", GOOGLE_API_KEY, 44, Detector.Check.ANY, 0,
        Trigger.literals(0, "AIza")));
    list.add(new Detector("SECRET", GITHUB_TOKEN, 260, Detector.Check.ANY, 0,
        Trigger.literals(0, "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_")));
    list.add(new Detector("EMAIL", EMAIL, 480, BuiltInDetectors::email, 1,
        Trigger.chars(64, "@", Trigger.LETTERS + Trigger.DIGITS + "._%+-")));
    list.add(new Detector("IBAN", IBAN, 72, shortening(Checks::iban), 2,
        Trigger.chars(2, Trigger.DIGITS, Trigger.LETTERS)));
    list.add(new Detector("CREDIT_CARD", CREDIT_CARD, 40, shortening(Checks::luhn), 3, digit));
    list.add(new Detector("US_SSN", US_SSN, 16, (t, s, e) -> Checks.ssn(t, s, e) ? e : -1, 4, digit));
    list.add(new Detector("IP_ADDRESS", IPV4, 20, (t, s, e) -> Checks.ipv4(t, s, e) ? e : -1, 5, digit));
    list.add(new Detector("IP_ADDRESS", IPV6, 56, (t, s, e) -> Checks.ipv6(t, s, e) ? e : -1, 5,
        Trigger.chars(4, ":", "0123456789ABCDEFabcdef")));
    list.add(new Detector("PHONE", PHONE, 128, phone(defaultRegion, phoneRegions), 6,
        Trigger.chars(1, Trigger.DIGITS, "+(")));
    return list;
  }

  /** A predicate on a whole value. */
  interface ValueCheck {
    boolean valid(CharSequence text, int start, int end);
  }

  /**
   * Accepts the candidate, or failing that its longest prefix ending before a separator: "call
   * 650-253-0000 4 times" yields the number, not a 14-digit non-number.
   */
  static Detector.Check shortening(ValueCheck check) {
    return (text, start, end) -> {
      int e = end;
      while (e > start) {
        if (check.valid(text, start, e)) {
          return e;
        }
        int k = e - 1;
        while (k > start && !isSeparator(text.charAt(k))) {
          k--;
        }
        e = k;
      }
      return -1;
    };
  }

  private static boolean isSeparator(char c) {
    return c == ' ' || c == '-' || c == '.';
  }

  private static int email(CharSequence text, int start, int end) {
    int at = start;
    while (text.charAt(at) != '@') {
      at++;
    }
    if (text.charAt(start) == '.' || text.charAt(at - 1) == '.') {
      return -1;
    }
    for (int i = start + 1; i < at; i++) {
      if (text.charAt(i) == '.' && text.charAt(i - 1) == '.') {
        return -1;
      }
    }
    return end;
  }

  /** ISO dates and d.m.yyyy dates are valid phone numbers in some regions; they are dates. */
  private static final Pattern DATE = Pattern.compile(
      "[0-9]{4}[-./][0-9]{1,2}[-./][0-9]{1,2}|[0-9]{1,2}[-./][0-9]{1,2}[-./][0-9]{4}");

  /**
   * Valid for libphonenumber in the default region (or as written, with a +country prefix), then
   * in each further region (there only when written with a leading 0); in each region the whole candidate first, then its shorter prefixes
   * ending before a separator. So a US number followed by a digit is the US number, not a longer
   * number that happens to be valid elsewhere.
   */
  static Detector.Check phone(String defaultRegion, List<String> regions) {
    PhoneNumberUtil util = PhoneNumberUtil.getInstance();
    List<String> all = new ArrayList<>();
    all.add(defaultRegion);
    regions.stream().filter(r -> !r.equals(defaultRegion)).forEach(all::add);
    return (text, start, end) -> {
      boolean international = text.charAt(start) == '+';
      boolean trunkPrefix = text.charAt(start) == '0'
          || (text.charAt(start) == '(' && end > start + 1 && text.charAt(start + 1) == '0');
      for (String region : all) {
        if (!international && !trunkPrefix && !region.equals(defaultRegion)) {
          // Further regions only take numbers written with the national trunk prefix ("020 ...",
          // "(0)..."): without it, house numbers, ZIP codes and IDs are valid numbers somewhere.
          continue;
        }
        Detector.Check inRegion = shortening((t, s, e) -> validPhone(util, t, s, e, region));
        int accepted = inRegion.acceptedEnd(text, start, end);
        if (accepted > start) {
          return accepted;
        }
        if (international) {
          return -1; // the country is written out; other regions cannot change the verdict
        }
      }
      return -1;
    };
  }

  private static boolean validPhone(PhoneNumberUtil util, CharSequence text, int start, int end,
      String region) {
    // Digits of the number itself, not of an extension ("x123").
    StringBuilder digits = new StringBuilder(16);
    for (int i = start; i < end; i++) {
      char c = text.charAt(i);
      if (c >= '0' && c <= '9') {
        digits.append(c);
      } else if (c == 'x' || c == 'e') {
        break;
      }
    }
    if (digits.length() < 7 || digits.length() > 15) {
      return false;
    }
    boolean international = text.charAt(start) == '+';
    boolean nanp = util.getCountryCodeForRegion(region) == 1;
    if (!international && nanp && !plausibleNanp(digits)) {
      return false; // libphonenumber is slow (tens of microseconds); rule out the obvious first
    }
    String candidate = text.subSequence(start, end).toString();
    if (DATE.matcher(candidate).lookingAt()) {
      return false;
    }
    try {
      PhoneNumber number = util.parse(candidate, region);
      if (util.isValidNumber(number)) {
        return true;
      }
      // Written unmistakably as a phone number (with +country, or North American 3-3-4 groups):
      // a number of possible length is enough. Unallocated and made-up numbers are still
      // someone's idea of a phone number, and nothing else is written that way.
      boolean shaped = international || (nanp && NANP_SHAPE.matcher(candidate).matches());
      return shaped && util.isPossibleNumber(number)
          && (number.getCountryCode() != 1 || plausibleNanp(util.getNationalSignificantNumber(number)));
    } catch (NumberParseException e) {
      return false;
    }
  }

  /** North American numbering: [1] NXX XXX XXXX, the area code not starting with 0 or 1. */
  private static boolean plausibleNanp(CharSequence digits) {
    int offset = digits.length() == 11 && digits.charAt(0) == '1' ? 1 : 0;
    return digits.length() - offset == 10 && digits.charAt(offset) >= '2';
  }

  /** (650) 253-0000, 650-253-0000, 650.253.0000, 1-650-253-0000, optionally with an extension. */
  private static final Pattern NANP_SHAPE = Pattern.compile(
      "(?:\\+?1[ .-]?)?(?:\\([2-9][0-9]{2}\\) ?|[2-9][0-9]{2}[ .-])[0-9]{3}[ .-][0-9]{4}"
          + "(?: ?(?:x|ext\\.?) ?[0-9]{1,6})?");
}
