package dev.tollgate.core.policy;

import java.util.List;

/** What ext services need to know about one consumer. */
public record ConsumerPolicy(String name, List<ModelPattern> allowedModels) {
  public ConsumerPolicy {
    allowedModels = List.copyOf(allowedModels);
  }

  public boolean mayUse(String model) {
    for (ModelPattern pattern : allowedModels) {
      if (pattern.matches(model)) {
        return true;
      }
    }
    return false;
  }
}
