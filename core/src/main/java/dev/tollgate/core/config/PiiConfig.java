package dev.tollgate.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code pii:} section of an inspection policy: which entity types are looked for, and what
 * happens to each on the way to the provider ({@code request}) and on the way back to the client
 * ({@code response}). A field left out (or {@code null}) takes the default written beside it; the
 * compact constructor applies them, so {@code pii: {}} is a complete, working section.
 *
 * <p>Built-in entity types: EMAIL, PHONE, CREDIT_CARD, IBAN, US_SSN, IP_ADDRESS, SECRET (cloud and
 * model-provider API keys, GitHub tokens, private key PEM blocks, JWTs). Custom patterns add more.
 *
 * <p>Request actions: {@code block} (400 pii_blocked naming the entity types, nothing goes
 * upstream), {@code mask} (the value becomes {@code [EMAIL]}), {@code pseudonymize} (the value
 * becomes a stable placeholder such as {@code <EMAIL_1>}, the same value the same placeholder within
 * one request, and the original comes back in that request's response). Response actions:
 * {@code mask}, or {@code block}, which on a response also masks: bytes already streamed cannot be
 * unsent, so refusing mid-answer would only truncate it. Placeholders are restored in responses
 * whatever the response actions say, and a value the request pseudonymised is never masked back.
 */
public record PiiConfig(
    /* Region (ISO 3166 two-letter code) for phone numbers written without a +country prefix.
       Default: US. */
    @JsonProperty("default_region") String defaultRegion,
    /* Further regions tried, in order, for national-format phone numbers that are not valid in
       the default region. Default: [] (only the default region). */
    @JsonProperty("phone_regions") List<String> phoneRegions,
    /* Entity type -> request action (block, mask, pseudonymize). Types left out are not touched
       on the request. Default: SECRET: block; EMAIL, PHONE, CREDIT_CARD, IBAN, US_SSN, IP_ADDRESS:
       pseudonymize. */
    @JsonProperty("request") Map<String, String> request,
    /* Entity type -> response action (mask, or block which masks too). Placeholders are restored
       whatever this says. Default: {} (restore placeholders, nothing else). */
    @JsonProperty("response") Map<String, String> response,
    /* Operator-defined entity types found by a Java regular expression. Default: []. */
    @JsonProperty("custom") List<PiiPatternConfig> custom) {

  public static final String DEFAULT_REGION = "US";
  public static final List<String> BUILT_IN_TYPES =
      List.of("EMAIL", "PHONE", "CREDIT_CARD", "IBAN", "US_SSN", "IP_ADDRESS", "SECRET");
  public static final List<String> REQUEST_ACTIONS = List.of("block", "mask", "pseudonymize");
  public static final List<String> RESPONSE_ACTIONS = List.of("block", "mask");
  public static final Map<String, String> DEFAULT_REQUEST = defaultRequest();

  public PiiConfig {
    defaultRegion = defaultRegion == null ? DEFAULT_REGION : defaultRegion;
    phoneRegions = Lists.copyOf(phoneRegions);
    request = request == null ? DEFAULT_REQUEST : copyOf(request);
    response = response == null ? Map.of() : copyOf(response);
    custom = Lists.copyOf(custom);
  }

  /** Every default: the built-in types pseudonymized on requests, secrets blocked. */
  public static PiiConfig defaults() {
    return new PiiConfig(null, null, null, null, null);
  }

  private static Map<String, String> defaultRequest() {
    Map<String, String> map = new LinkedHashMap<>();
    for (String type : BUILT_IN_TYPES) {
      map.put(type, type.equals("SECRET") ? "block" : "pseudonymize");
    }
    return Collections.unmodifiableMap(map);
  }

  /** Keeps YAML order and null values, so the validator can point at the entry that is wrong. */
  private static Map<String, String> copyOf(Map<String, String> map) {
    return Collections.unmodifiableMap(new LinkedHashMap<>(map));
  }
}
