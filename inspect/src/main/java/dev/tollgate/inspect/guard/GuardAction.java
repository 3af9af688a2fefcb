package dev.tollgate.inspect.guard;

/** What the gateway does with a request after the guard has read it. */
public enum GuardAction {
  /** Nothing fired (or an allow pattern exempted every text that would have). */
  ALLOW,
  /** Refuse with 400 {@code prompt_blocked}; nothing goes upstream. */
  BLOCK,
  /** Let it through, marked in a response header, a metric and the audit record. */
  FLAG,
  /** Let it through unmarked; only a metric and the audit record know. */
  SHADOW;

  /** The configured action name ({@code block|flag|shadow}) as an action. */
  static GuardAction ofConfig(String name) {
    return switch (name) {
      case "block" -> BLOCK;
      case "flag" -> FLAG;
      case "shadow" -> SHADOW;
      default -> throw new IllegalArgumentException("unknown prompt_guard action");
    };
  }
}
