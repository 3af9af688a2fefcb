package dev.tollgate.core.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Immutable list copies that keep null elements, so the validator can report "- " items by path. */
final class Lists {
  private Lists() {}

  static <T> List<T> copyOf(List<T> list) {
    return list == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(list));
  }
}
