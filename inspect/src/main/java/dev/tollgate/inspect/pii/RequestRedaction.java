package dev.tollgate.inspect.pii;

import java.util.List;
import java.util.Map;

/**
 * What the request-side PII actions made of one text.
 *
 * @param text the text to send upstream (masks and placeholders in place of the values)
 * @param blockedEntityTypes entity types found whose action is block, sorted, without repeats;
 *     non-empty means the request must be refused. Never the values.
 * @param countsByEntityType how many values of each type were found (any action), for metrics
 *     and the audit record
 */
public record RequestRedaction(
    String text, List<String> blockedEntityTypes, Map<String, Integer> countsByEntityType) {

  public RequestRedaction {
    blockedEntityTypes = List.copyOf(blockedEntityTypes);
    countsByEntityType = Map.copyOf(countsByEntityType);
  }

  public boolean blocked() {
    return !blockedEntityTypes.isEmpty();
  }

  public boolean changed(String original) {
    return !text.equals(original);
  }
}
