package dev.tollgate.core.policy;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Keys created at run time look like {@code tg_<prefix>_<secret>}: the prefix (12 hex digits) is
 * not secret and finds the stored record without a hash-map probe on secret-derived data; the
 * secret (64 hex digits, 256 random bits) is what the stored SHA-256 protects.
 */
public final class ApiKeyFormat {
  public static final String START = "tg_";
  public static final int PREFIX_HEX_DIGITS = 12;
  private static final int SECRET_BYTES = 32;
  private static final Pattern PREFIX = Pattern.compile("[0-9a-f]{" + PREFIX_HEX_DIGITS + "}");
  private static final Pattern KEY = Pattern.compile(
      "tg_([0-9a-f]{" + PREFIX_HEX_DIGITS + "})_[0-9a-f]{" + (SECRET_BYTES * 2) + "}");
  private static final SecureRandom RANDOM = new SecureRandom();

  private ApiKeyFormat() {}

  /** A new key: prefix and secret both random. */
  public static String generate() {
    byte[] prefix = new byte[PREFIX_HEX_DIGITS / 2];
    byte[] secret = new byte[SECRET_BYTES];
    RANDOM.nextBytes(prefix);
    RANDOM.nextBytes(secret);
    return START + HexFormat.of().formatHex(prefix) + "_" + HexFormat.of().formatHex(secret);
  }

  /** The lookup prefix of a key in this format; empty for any other key (config keys, typos). */
  public static Optional<String> prefixOf(String key) {
    if (key.length() != START.length() + PREFIX_HEX_DIGITS + 1 + SECRET_BYTES * 2 || !key.startsWith(START)) {
      return Optional.empty();
    }
    var matcher = KEY.matcher(key);
    return matcher.matches() ? Optional.of(matcher.group(1)) : Optional.empty();
  }

  public static boolean isPrefix(String text) {
    return text != null && PREFIX.matcher(text).matches();
  }
}
