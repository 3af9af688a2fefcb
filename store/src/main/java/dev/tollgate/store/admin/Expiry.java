package dev.tollgate.store.admin;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads a key's expiry from {@code expires_in} ("30d", "12h", "15m", "45s" or seconds) or {@code expires_at}. */
final class Expiry {
  private static final Pattern IN = Pattern.compile("([1-9][0-9]{0,9})([smhd]?)");
  static final Duration LONGEST = Duration.ofDays(3660);

  private Expiry() {}

  /** @return null when neither field is given: the key never expires */
  static Instant read(JsonNode expiresIn, JsonNode expiresAt, Instant now) throws JsonEndpoint.BadRequest {
    if (expiresIn != null && expiresAt != null) {
      throw new JsonEndpoint.BadRequest("Give expires_in or expires_at, not both.", "expires_in");
    }
    if (expiresIn != null) {
      Duration duration = duration(expiresIn);
      if (duration.compareTo(LONGEST) > 0) {
        throw new JsonEndpoint.BadRequest("expires_in is longer than 3660 days.", "expires_in");
      }
      return now.plus(duration);
    }
    if (expiresAt != null) {
      if (!expiresAt.isTextual()) {
        throw new JsonEndpoint.BadRequest("expires_at must be an ISO-8601 instant such as 2027-01-31T00:00:00Z.",
            "expires_at");
      }
      Instant at;
      try {
        at = Instant.parse(expiresAt.asText());
      } catch (DateTimeParseException e) {
        throw new JsonEndpoint.BadRequest("expires_at must be an ISO-8601 instant such as 2027-01-31T00:00:00Z.",
            "expires_at");
      }
      if (!at.isAfter(now)) {
        throw new JsonEndpoint.BadRequest("expires_at is in the past.", "expires_at");
      }
      if (Duration.between(now, at).compareTo(LONGEST) > 0) {
        throw new JsonEndpoint.BadRequest("expires_at is more than 3660 days away.", "expires_at");
      }
      // Milliseconds, what the store keeps, so the answer shows what was stored.
      return Instant.ofEpochMilli(at.toEpochMilli());
    }
    return null;
  }

  static Duration duration(JsonNode node) throws JsonEndpoint.BadRequest {
    String text = node.isIntegralNumber() ? node.asText() : node.isTextual() ? node.asText().strip() : "";
    Matcher matcher = IN.matcher(text);
    if (!matcher.matches()) {
      throw new JsonEndpoint.BadRequest("expires_in must be a positive number of seconds or a duration such as "
          + "30d, 12h, 15m, 45s.", "expires_in");
    }
    long amount = Long.parseLong(matcher.group(1));
    return switch (matcher.group(2)) {
      case "d" -> Duration.ofDays(amount);
      case "h" -> Duration.ofHours(amount);
      case "m" -> Duration.ofMinutes(amount);
      default -> Duration.ofSeconds(amount);
    };
  }
}
