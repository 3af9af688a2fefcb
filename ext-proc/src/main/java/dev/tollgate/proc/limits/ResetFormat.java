package dev.tollgate.proc.limits;

/** Durations as OpenAI writes {@code x-ratelimit-reset-requests}: Go's style, "20ms", "1s", "6m0s", "1h2m3.5s". */
final class ResetFormat {
  private ResetFormat() {}

  static String of(long millis) {
    if (millis <= 0) {
      return "0s";
    }
    if (millis < 1000) {
      return millis + "ms";
    }
    long hours = millis / 3_600_000;
    long minutes = millis / 60_000 % 60;
    long wholeSeconds = millis / 1000 % 60;
    long fraction = millis % 1000;
    StringBuilder text = new StringBuilder();
    if (hours > 0) {
      text.append(hours).append('h');
    }
    if (hours > 0 || minutes > 0) {
      text.append(minutes).append('m');
    }
    text.append(wholeSeconds);
    if (fraction > 0) {
      // Milliseconds as a decimal fraction without trailing zeros: 250 -> ".25", 5 -> ".005".
      text.append('.');
      for (long digit = 100; digit > 0 && fraction > 0; digit /= 10) {
        text.append(fraction / digit);
        fraction %= digit;
      }
    }
    return text.append('s').toString();
  }
}
