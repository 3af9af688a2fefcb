package dev.tollgate.core.config;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Checks one {@code pii:} section. Called by the inspection-policy validator with the section's
 * YAML path (e.g. {@code policies[0].pii}), so problems get file:line:column. Messages never repeat
 * a custom pattern in full: it may describe data an operator keeps private.
 */
public final class PiiConfigValidator {
  private static final Pattern ENTITY_NAME = Pattern.compile("[A-Z][A-Z0-9_]{0,39}");
  private static final Pattern REGION = Pattern.compile("[A-Z]{2}");
  /** Patterns run on every prompt and streamed chunk; keep them to a readable size. */
  static final int MAX_PATTERN_LENGTH = 1000;

  private PiiConfigValidator() {}

  /**
   * @param at YAML path of the section
   * @param problem receives (path, message) for each problem found
   */
  public static void validate(String at, PiiConfig config, BiConsumer<String, String> problem) {
    if (config == null) {
      return;
    }
    region(at + ".default_region", config.defaultRegion(), problem);
    for (int i = 0; i < config.phoneRegions().size(); i++) {
      region(at + ".phone_regions[" + i + "]", config.phoneRegions().get(i), problem);
    }
    Set<String> known = new HashSet<>(PiiConfig.BUILT_IN_TYPES);
    for (int i = 0; i < config.custom().size(); i++) {
      custom(at + ".custom[" + i + "]", config.custom().get(i), known, problem);
    }
    actions(at + ".request", config.request(), PiiConfig.REQUEST_ACTIONS, known, problem);
    actions(at + ".response", config.response(), PiiConfig.RESPONSE_ACTIONS, known, problem);
  }

  private static void region(String path, String region, BiConsumer<String, String> problem) {
    if (region == null || !REGION.matcher(region).matches() || !isoCountry(region)) {
      problem.accept(path, "must be a two-letter upper-case region code such as US, GB or DE");
    }
  }

  private static boolean isoCountry(String region) {
    for (String code : Locale.getISOCountries()) {
      if (code.equals(region)) {
        return true;
      }
    }
    return false;
  }

  private static void custom(String at, PiiPatternConfig custom, Set<String> known,
      BiConsumer<String, String> problem) {
    if (custom == null) {
      problem.accept(at, "empty custom pattern entry");
      return;
    }
    String entity = custom.entity();
    if (entity == null || !ENTITY_NAME.matcher(entity).matches()) {
      problem.accept(at + ".entity",
          "required: upper-case letters, digits and '_', starting with a letter (at most 40)");
    } else if (!known.add(entity)) {
      problem.accept(at + ".entity", PiiConfig.BUILT_IN_TYPES.contains(entity)
          ? "'" + entity + "' is a built-in entity type; pick another name"
          : "duplicate entity type '" + entity + "'");
    }
    String pattern = custom.pattern();
    if (pattern == null || pattern.isEmpty()) {
      problem.accept(at + ".pattern", "required: a Java regular expression");
    } else if (pattern.length() > MAX_PATTERN_LENGTH) {
      problem.accept(at + ".pattern", "longer than " + MAX_PATTERN_LENGTH + " characters");
    } else {
      try {
        if (Pattern.compile(pattern).matcher("").matches()) {
          problem.accept(at + ".pattern", "matches the empty string; it would match everywhere");
        }
      } catch (PatternSyntaxException e) {
        problem.accept(at + ".pattern", "not a valid regular expression: " + e.getDescription());
      }
    }
    if (custom.maxLength() < 1 || custom.maxLength() > PiiPatternConfig.MAX_MAX_LENGTH) {
      problem.accept(at + ".max_length", "must be between 1 and " + PiiPatternConfig.MAX_MAX_LENGTH);
    }
  }

  private static void actions(String at, Map<String, String> actions, List<String> allowed,
      Set<String> known, BiConsumer<String, String> problem) {
    for (Map.Entry<String, String> entry : actions.entrySet()) {
      String path = at + "." + entry.getKey();
      if (!known.contains(entry.getKey())) {
        problem.accept(path, "unknown entity type; known: " + String.join(", ", known.stream().sorted().toList()));
      }
      if (entry.getValue() == null || !allowed.contains(entry.getValue())) {
        problem.accept(path, "must be one of " + String.join(", ", allowed));
      }
    }
  }
}
