package dev.tollgate.inspect.pii;

import java.util.regex.Pattern;

/**
 * One way of finding one entity type: a regular expression for candidates, and a check that
 * accepts a candidate (possibly shortened, e.g. a phone number followed by another number) or
 * rejects it (a card number failing Luhn, an IBAN failing mod-97).
 *
 * @param pattern candidates; must not match the empty string. Every built-in pattern has bounded
 *     repetitions, so no candidate (with its look-arounds) is longer than {@code maxLength}.
 * @param maxLength the longest text a candidate can cover: also the most a stream holds back
 *     for this detector
 * @param priority breaks ties between detectors matching the same span (lower wins)
 * @param trigger what every match contains near its start, or null (try every position)
 */
record Detector(String entityType, Pattern pattern, int maxLength, Check check, int priority,
    Trigger trigger) {

  /** A detector the scanner tries at every position (custom patterns: nothing is known of them). */
  Detector(String entityType, Pattern pattern, int maxLength, Check check, int priority) {
    this(entityType, pattern, maxLength, check, priority, null);
  }

  /** Decides on one candidate {@code [start, end)}. */
  @FunctionalInterface
  interface Check {
    /** @return the end of the accepted value, in {@code (start, end]}, or -1 to reject */
    int acceptedEnd(CharSequence text, int start, int end);

    Check ANY = (text, start, end) -> end;
  }
}
