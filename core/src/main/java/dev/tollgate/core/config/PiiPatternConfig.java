package dev.tollgate.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One operator-defined PII entity type under {@code pii.custom}: a name and a Java regular
 * expression. The name is then used in {@code pii.request} / {@code pii.response} like a built-in
 * type, and in masks ({@code [EMPLOYEE_ID]}) and placeholders ({@code <EMPLOYEE_ID_1>}).
 */
public record PiiPatternConfig(
    /* Entity type name: upper case letters, digits and '_', starting with a letter, not a
       built-in name. Required. */
    @JsonProperty("entity") String entity,
    /* Java regular expression (find, case-sensitive unless it says (?i)). Required. */
    @JsonProperty("pattern") String pattern,
    /* Longest value this pattern is expected to match, 1..4096. On streamed responses at most this
       many characters are held back waiting for a match to complete; a longer match split across
       chunks may be cut short. Default: 64. */
    @JsonProperty("max_length") Integer maxLength) {

  public static final int DEFAULT_MAX_LENGTH = 64;
  public static final int MAX_MAX_LENGTH = 4096;

  public PiiPatternConfig {
    maxLength = maxLength == null ? DEFAULT_MAX_LENGTH : maxLength;
  }
}
