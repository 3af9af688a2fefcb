package dev.tollgate.fakeprovider;

import java.util.Locale;
import java.util.OptionalInt;

/**
 * The test hook {@code x-fake-provider-behavior}. Only {@code status-NNN} exists, with NNN in
 * 400..599: it makes the fake answer that status with an OpenAI-shaped error, so a test can drive
 * the gateway's retry, fallback and error paths. Any other value means normal behaviour.
 */
final class BehaviorHeader {

  static final String NAME = "x-fake-provider-behavior";
  private static final String STATUS_PREFIX = "status-";

  private BehaviorHeader() {
  }

  static OptionalInt forcedStatus(String headerValue) {
    if (headerValue == null) {
      return OptionalInt.empty();
    }
    String value = headerValue.trim().toLowerCase(Locale.ROOT);
    if (!value.startsWith(STATUS_PREFIX)) {
      return OptionalInt.empty();
    }
    try {
      int status = Integer.parseInt(value.substring(STATUS_PREFIX.length()));
      return status >= 400 && status <= 599 ? OptionalInt.of(status) : OptionalInt.empty();
    } catch (NumberFormatException e) {
      return OptionalInt.empty();
    }
  }
}
