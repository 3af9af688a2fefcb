package dev.tollgate.inspect.pii;

/**
 * One value found in a text: {@code [start, end)} in the scanned text. Carries positions, not the
 * value, so it can be logged or counted without leaking anything.
 *
 * @param entityType EMAIL, PHONE, ..., or a custom type; {@link #PLACEHOLDER} for a placeholder
 *     of this request found in a response
 */
public record PiiMatch(String entityType, int start, int end) {
  /** Entity type of a pseudonym placeholder being restored. */
  public static final String PLACEHOLDER = "PLACEHOLDER";
}
