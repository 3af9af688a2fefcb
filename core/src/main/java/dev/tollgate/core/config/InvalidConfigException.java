package dev.tollgate.core.config;

import java.util.List;
import java.util.stream.Collectors;

/** A config document that cannot be used, with every problem found in it. */
public final class InvalidConfigException extends Exception {
  private final List<ConfigProblem> problems;

  public InvalidConfigException(List<ConfigProblem> problems) {
    super(problems.size() + " problem(s) in config:\n"
        + problems.stream().map(p -> "  " + p).collect(Collectors.joining("\n")));
    this.problems = List.copyOf(problems);
  }

  public List<ConfigProblem> problems() {
    return problems;
  }
}
